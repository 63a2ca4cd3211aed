// Builds tiny random Llama-family model directories (llama, mistral, qwen2, qwen3) for
// tests: a real config.json, safetensors weights (single file or sharded) and
// the side files a Hugging Face repo carries. Weights come from a seeded PRNG so
// every run builds the same model.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors, writeShardedSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { layerTensorName } from '@layerprune/architectures';
import { createRandom } from '@layerprune/data';

export type TinyModelType = 'llama' | 'mistral' | 'qwen2' | 'qwen3';

export interface TinyModelOptions {
  modelType: TinyModelType;
  numLayers?: number;
  hiddenSize?: number;
  intermediateSize?: number;
  numHeads?: number;
  numKvHeads?: number;
  vocabSize?: number;
  tieWordEmbeddings?: boolean;
  seed?: number;
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Number of shard files; 1 writes model.safetensors. */
  shards?: number;
  /**
   * Turn the sliding window on with this length: mistral on every layer; qwen2 /
   * qwen3 (use_sliding_window) on layers >= max_window_layers = L - 2.
   */
  slidingWindow?: number;
  /** qwen2 / qwen3 only: write layer_types (default true), as recent transformers do. */
  layerTypes?: boolean;
  /** Merged over the generated config.json (e.g. per-layer lists). */
  extraConfig?: Record<string, unknown>;
}

export interface TinyModel {
  dir: string;
  config: Record<string, unknown>;
  /** Tensor names in the order written. */
  names: string[];
}

/** The project's seeded generator (@layerprune/data's mulberry32 stream): same seed, same numbers. */
const prng: (seed: number) => () => number = createRandom;

const ARCHITECTURES: Record<TinyModelType, string> = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
};

type ConfigOptions = Required<Omit<TinyModelOptions, 'extraConfig' | 'seed' | 'shards' | 'dtype' | 'slidingWindow'>> & {
  slidingWindow: number | null;
};

function buildConfig(o: ConfigOptions, dtype: string): Record<string, unknown> {
  const L = o.numLayers;
  const base: Record<string, unknown> = {
    architectures: [ARCHITECTURES[o.modelType]],
    model_type: o.modelType,
    hidden_size: o.hiddenSize,
    intermediate_size: o.intermediateSize,
    num_hidden_layers: L,
    num_attention_heads: o.numHeads,
    num_key_value_heads: o.numKvHeads,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    vocab_size: o.vocabSize,
    max_position_embeddings: 128,
    tie_word_embeddings: o.tieWordEmbeddings,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype],
    bos_token_id: 1,
    eos_token_id: 2,
  };
  if (o.modelType === 'llama') Object.assign(base, { attention_bias: false, rope_scaling: null });
  if (o.modelType === 'mistral') Object.assign(base, { sliding_window: o.slidingWindow ?? 4096 });
  // qwen3: head_dim explicit (Qwen3Config's default is 128), no biases, q/k norms.
  if (o.modelType === 'qwen3') Object.assign(base, { head_dim: o.hiddenSize / o.numHeads, attention_bias: false });
  if (o.modelType === 'qwen2' || o.modelType === 'qwen3') {
    // As transformers' Qwen2Config / Qwen3Config: layers >= max_window_layers use the sliding
    // window when use_sliding_window is on; layer_types spells that out per layer.
    const maxWindowLayers = Math.max(1, L - 2);
    const windowed = o.slidingWindow !== null;
    Object.assign(base, {
      use_sliding_window: windowed,
      sliding_window: o.slidingWindow ?? 32,
      max_window_layers: maxWindowLayers,
    });
    if (o.layerTypes) {
      base.layer_types = Array.from({ length: L }, (_, i) => (windowed && i >= maxWindowLayers ? 'sliding_attention' : 'full_attention'));
    }
  }
  return base;
}

/** Write a tiny random model into `dir` (created). */
export async function writeTinyModel(dir: string, options: TinyModelOptions): Promise<TinyModel> {
  const o = {
    modelType: options.modelType,
    numLayers: options.numLayers ?? 6,
    hiddenSize: options.hiddenSize ?? 16,
    intermediateSize: options.intermediateSize ?? 40,
    numHeads: options.numHeads ?? 4,
    numKvHeads: options.numKvHeads ?? 2,
    vocabSize: options.vocabSize ?? 48,
    tieWordEmbeddings: options.tieWordEmbeddings ?? false,
    slidingWindow: options.slidingWindow ?? null,
    layerTypes: options.layerTypes ?? true,
  };
  const dtype = options.dtype ?? 'F32';
  const random = prng(options.seed ?? 1234);
  const headDim = o.hiddenSize / o.numHeads;
  const tensors: TensorSource[] = [];
  const add = (name: string, shape: number[], kind: 'weight' | 'norm' | 'bias'): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const scale = kind === 'weight' ? 1 / Math.sqrt(shape[shape.length - 1]) : 0.1;
    for (let i = 0; i < size; i++) values[i] = (kind === 'norm' ? 1 : 0) + (2 * random() - 1) * scale;
    tensors.push({ name, dtype, shape, read: () => values });
  };
  const H = o.hiddenSize;
  add('model.embed_tokens.weight', [o.vocabSize, H], 'weight');
  for (let l = 0; l < o.numLayers; l++) {
    const t = (suffix: string): string => layerTensorName(l, suffix);
    add(t('input_layernorm.weight'), [H], 'norm');
    add(t('self_attn.q_proj.weight'), [o.numHeads * headDim, H], 'weight');
    add(t('self_attn.k_proj.weight'), [o.numKvHeads * headDim, H], 'weight');
    add(t('self_attn.v_proj.weight'), [o.numKvHeads * headDim, H], 'weight');
    if (o.modelType === 'qwen2') {
      add(t('self_attn.q_proj.bias'), [o.numHeads * headDim], 'bias');
      add(t('self_attn.k_proj.bias'), [o.numKvHeads * headDim], 'bias');
      add(t('self_attn.v_proj.bias'), [o.numKvHeads * headDim], 'bias');
    }
    if (o.modelType === 'qwen3') {
      add(t('self_attn.q_norm.weight'), [headDim], 'norm');
      add(t('self_attn.k_norm.weight'), [headDim], 'norm');
    }
    add(t('self_attn.o_proj.weight'), [H, o.numHeads * headDim], 'weight');
    add(t('post_attention_layernorm.weight'), [H], 'norm');
    add(t('mlp.gate_proj.weight'), [o.intermediateSize, H], 'weight');
    add(t('mlp.up_proj.weight'), [o.intermediateSize, H], 'weight');
    add(t('mlp.down_proj.weight'), [H, o.intermediateSize], 'weight');
  }
  add('model.norm.weight', [H], 'norm');
  if (!o.tieWordEmbeddings) add('lm_head.weight', [o.vocabSize, H], 'weight');

  await mkdir(dir, { recursive: true });
  const metadata = { format: 'pt' };
  const shards = options.shards ?? 1;
  if (shards > 1) {
    const bytesPer = { F32: 4, F16: 2, BF16: 2 }[dtype];
    const total = tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1) * bytesPer, 0);
    await writeShardedSafetensors(dir, tensors, { maxShardBytes: Math.ceil(total / shards), metadata });
  } else {
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata });
  }
  const config = { ...buildConfig(o, dtype), ...(options.extraConfig ?? {}) };
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, 'generation_config.json'), `${JSON.stringify({ bos_token_id: 1, eos_token_id: 2, do_sample: false }, null, 2)}\n`);
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify({ model_max_length: 128, bos_token: '<s>' }, null, 2)}\n`);
  await writeFile(join(dir, 'README.md'), `# tiny ${o.modelType}\nRandom weights for tests.\n`);
  return { dir, config, names: tensors.map((t) => t.name) };
}
