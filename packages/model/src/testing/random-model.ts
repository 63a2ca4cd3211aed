// Tiny random Llama-family models for tests and benchmarks: a Hugging Face
// config.json object and [out, in] weights, deterministic for a seed. The tensor
// set is @layerprune/architectures' expectedModelTensors, so every family gets its
// own (Gemma's four block norms, qwen3 / gemma3 q/k norms, biases where the config has them).
import { ARCHITECTURE_SPECS, expectedModelTensors, parseArchitectureConfig } from '@layerprune/architectures';
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
  /** Mistral, Phi-3: sliding_window; qwen2 / qwen3: also sets use_sliding_window (every layer: max_window_layers 0). */
  slidingWindow?: number | null;
  /** Llama, qwen3, gemma: q/k/v/o biases. */
  attentionBias?: boolean;
  /** Gemma: query_pre_attn_scalar (attention scale = its -0.5 power); default head_dim. */
  queryPreAttnScalar?: number;
  /** Gemma: attn_logit_softcapping / final_logit_softcapping; undefined leaves the field out (the family default). */
  attnLogitSoftcap?: number | null;
  finalLogitSoftcap?: number | null;
  /** Gemma: sliding_window_pattern (layer i slides when (i + 1) % pattern != 0). */
  slidingWindowPattern?: number;
  /** Gemma 3: rope_local_base_freq, the rope theta of the sliding layers. */
  localRopeTheta?: number;
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
  const family = ARCHITECTURE_SPECS[modelType];
  const tie = spec.tieWordEmbeddings ?? family.defaults.tieWordEmbeddings;
  const rawConfig: Record<string, unknown> = {
    architectures: [ARCHITECTURE_SPECS[modelType].className],
    model_type: modelType,
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    hidden_act: family.defaults.hiddenAct,
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
  if (family.bias === 'attention_bias') rawConfig.attention_bias = spec.attentionBias ?? false;
  if (family.activationField === 'hidden_activation') rawConfig.hidden_activation = family.defaults.hiddenAct;
  if (family.sliding === 'pattern') {
    rawConfig.sliding_window = spec.slidingWindow ?? 4096;
    if (spec.slidingWindowPattern !== undefined) rawConfig.sliding_window_pattern = spec.slidingWindowPattern;
  }
  if (family.gemmaAttention) {
    rawConfig.query_pre_attn_scalar = spec.queryPreAttnScalar ?? headDim;
    if (spec.attnLogitSoftcap !== undefined) rawConfig.attn_logit_softcapping = spec.attnLogitSoftcap;
    if (spec.finalLogitSoftcap !== undefined) rawConfig.final_logit_softcapping = spec.finalLogitSoftcap;
  }
  if (family.localRope) rawConfig.rope_local_base_freq = spec.localRopeTheta ?? 10000;
  // Mistral, Phi-3: the window (when set) applies to every layer.
  if (family.sliding === 'all-when-set') rawConfig.sliding_window = spec.slidingWindow ?? null;
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
  // Norms store w where the model scales by (normWeightOffset + w): values around a scale of 1 either way.
  const offset = config.normWeightOffset;
  for (const { name, shape, required } of expectedModelTensors(config)) {
    if (!required) continue;
    if (name === 'model.embed_tokens.weight') {
      // Divided by the embedding scale (Gemma's sqrt(hidden)) so the scaled embeddings, and tied logits, stay O(1).
      add(name, shape, () => normal() / config.embeddingScale);
    } else if (/\.(q|k)_norm\.weight$/.test(name)) {
      // Spread wider than the block norms, so a missing or misplaced q/k norm shows in the logits.
      add(name, shape, () => 1 - offset + 0.5 * normal());
    } else if (shape.length === 1 && /norm\.weight$/.test(name)) {
      add(name, shape, () => 1 - offset + 0.1 * normal());
    } else if (name.endsWith('.bias')) {
      add(name, shape, () => normal() * 0.1);
    } else {
      const std = 1 / Math.sqrt(shape[1]);
      add(name, shape, () => normal() * std);
    }
  }
  return { rawConfig, config, tensors };
}
