// Tiny random Llama-family models for tests and benchmarks: a Hugging Face
// config.json object and [out, in] weights, deterministic for a seed.
import { ARCHITECTURE_SPECS, parseArchitectureConfig } from '@layerprune/architectures';
import type { ArchitectureConfig, ModelType } from '@layerprune/architectures';
import { createRng } from '../generate/create-rng.js';
import type { InMemoryTensor } from '../weights/tensor-reader.js';

export interface RandomModelSpec {
  modelType?: ModelType;
  hiddenSize?: number;
  intermediateSize?: number;
  numLayers?: number;
  numHeads?: number;
  numKvHeads?: number;
  headDim?: number;
  vocabSize?: number;
  tieWordEmbeddings?: boolean;
  ropeTheta?: number;
  ropeScaling?: Record<string, unknown> | null;
  rmsNormEps?: number;
  /** Mistral: sliding_window; qwen2 / qwen3: also sets use_sliding_window (every layer: max_window_layers 0). */
  slidingWindow?: number | null;
  /** Llama and qwen3: q/k/v/o biases. */
  attentionBias?: boolean;
  maxPositionEmbeddings?: number;
  /** Extra config.json fields (override the derived ones). */
  extraConfig?: Record<string, unknown>;
  seed?: number;
}

export interface RandomModel {
  rawConfig: Record<string, unknown>;
  config: ArchitectureConfig;
  /** Hugging Face names and layouts ([out, in] for linear weights). */
  tensors: Map<string, InMemoryTensor>;
}

function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

export function randomModel(spec: RandomModelSpec = {}): RandomModel {
  const modelType = spec.modelType ?? 'llama';
  const hidden = spec.hiddenSize ?? 32;
  const heads = spec.numHeads ?? 4;
  const kvHeads = spec.numKvHeads ?? 2;
  const headDim = spec.headDim ?? hidden / heads;
  const intermediate = spec.intermediateSize ?? 48;
  const layers = spec.numLayers ?? 3;
  const vocab = spec.vocabSize ?? 50;
  const tie = spec.tieWordEmbeddings ?? false;
  const rawConfig: Record<string, unknown> = {
    architectures: [ARCHITECTURE_SPECS[modelType].className],
    model_type: modelType,
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    hidden_act: 'silu',
    rms_norm_eps: spec.rmsNormEps ?? 1e-5,
    rope_theta: spec.ropeTheta ?? 10000,
    rope_scaling: spec.ropeScaling ?? null,
    vocab_size: vocab,
    tie_word_embeddings: tie,
    max_position_embeddings: spec.maxPositionEmbeddings ?? 256,
    torch_dtype: 'float32',
    bos_token_id: 1,
    eos_token_id: 2,
  };
  if (modelType === 'llama' || modelType === 'qwen3') rawConfig.attention_bias = spec.attentionBias ?? false;
  if (modelType === 'mistral') rawConfig.sliding_window = spec.slidingWindow ?? null;
  if (modelType === 'qwen2' || modelType === 'qwen3') {
    rawConfig.use_sliding_window = spec.slidingWindow != null;
    rawConfig.sliding_window = spec.slidingWindow ?? 4096;
    rawConfig.max_window_layers = 0;
  }
  Object.assign(rawConfig, spec.extraConfig ?? {});
  const config = parseArchitectureConfig(rawConfig, 'random/config.json');

  const normal = gaussian(createRng(spec.seed ?? 1));
  const tensors = new Map<string, InMemoryTensor>();
  const add = (name: string, shape: number[], value: () => number): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = value();
    tensors.set(name, { shape, data });
  };
  const linear = (name: string, out: number, inFeatures: number, bias: boolean): void => {
    const std = 1 / Math.sqrt(inFeatures);
    add(`${name}.weight`, [out, inFeatures], () => normal() * std);
    if (bias) add(`${name}.bias`, [out], () => normal() * 0.1);
  };
  const norm = (name: string, size = hidden): void => add(name, [size], () => 1 + 0.1 * normal());
  const qkvBias = config.attentionBias;
  const oBias = config.attentionBias && modelType !== 'qwen2';
  add('model.embed_tokens.weight', [vocab, hidden], () => normal());
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    norm(`${p}.input_layernorm.weight`);
    norm(`${p}.post_attention_layernorm.weight`);
    linear(`${p}.self_attn.q_proj`, heads * headDim, hidden, qkvBias);
    linear(`${p}.self_attn.k_proj`, kvHeads * headDim, hidden, qkvBias);
    linear(`${p}.self_attn.v_proj`, kvHeads * headDim, hidden, qkvBias);
    linear(`${p}.self_attn.o_proj`, hidden, heads * headDim, oBias);
    if (config.qkNorm) {
      // Spread wider than the block norms, so a missing or misplaced q/k norm shows in the logits.
      add(`${p}.self_attn.q_norm.weight`, [headDim], () => 1 + 0.5 * normal());
      add(`${p}.self_attn.k_norm.weight`, [headDim], () => 1 + 0.5 * normal());
    }
    linear(`${p}.mlp.gate_proj`, intermediate, hidden, false);
    linear(`${p}.mlp.up_proj`, intermediate, hidden, false);
    linear(`${p}.mlp.down_proj`, hidden, intermediate, false);
  }
  norm('model.norm.weight');
  if (!tie) linear('lm_head', vocab, hidden, false);
  return { rawConfig, config, tensors };
}
