// Turns a validated ArchitectureConfig (plus the verbatim config.json for fields
// tensor-io does not normalise) into the numbers the engines run with, and
// refuses, with a ModelError naming the field, every setting this runtime would
// otherwise compute wrongly.
import { SUPPORTED_ACTIVATIONS, SUPPORTED_MODEL_TYPES, type ArchitectureConfig } from '@layerprune/architectures';
import { ModelError } from '../errors.js';
import { ropeInvFreq } from '../rope/rope-inv-freq.js';

export interface Architecture {
  readonly config: ArchitectureConfig;
  /** Where the config came from (a config.json path or a label), for error messages. */
  readonly source: string;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Query heads per key/value head (grouped-query attention). */
  readonly groupSize: number;
  readonly vocabSize: number;
  readonly rmsNormEps: number;
  /** Multiplies q.k: config.attentionScale (1 / sqrt(headDim); Gemma: query_pre_attn_scalar^-0.5). */
  readonly attentionScale: number;
  /** Rotary inverse frequencies of the full-attention layers (ropeTheta with ropeScaling). */
  readonly invFreq: Float64Array;
  /** Gemma 3: the sliding layers' own inverse frequencies (localRopeTheta, never scaled); null when every layer uses invFreq. */
  readonly localInvFreq: Float64Array | null;
  /** Per layer, the inverse frequencies its rotary embedding uses: invFreq or localInvFreq (the same array objects). */
  readonly layerInvFreq: readonly Float64Array[];
  /** Sliding-window length per layer (a key j is visible from query i when i - window < j <= i), or null for full causal attention. */
  readonly layerWindows: readonly (number | null)[];
  /** Per-head RMSNorm of queries and keys before rotary (qwen3's q_norm / k_norm, eps rmsNormEps). */
  readonly qkNorm: boolean;
  /** Every RMSNorm (block, q/k, final) scales by (normWeightOffset + w): 1 for Gemma, 0 otherwise. */
  readonly normWeightOffset: number;
  /** Gemma: attention and MLP outputs are normalised before their residual adds (see blockForward). */
  readonly sandwichNorms: boolean;
  /** Token embeddings are multiplied by this (Gemma: sqrt(hidden), rounded to float32 as torch does). */
  readonly embeddingScale: number;
  /** Gemma 2: attention scores become c * tanh(scores / c) before the mask; null: none. */
  readonly attnLogitSoftcap: number | null;
  /** Gemma 2: logits become c * tanh(logits / c); null: none. */
  readonly finalLogitSoftcap: number | null;
  /** The MLP activation: SiLU (SwiGLU) or tanh-approximated GELU (Gemma's GeGLU). */
  readonly activation: MlpActivation;
}

export type MlpActivation = 'silu' | 'gelu_pytorch_tanh';

const SILU_NAMES = new Set(['silu', 'swish']);
/** transformers' PytorchGELUTanh: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). */
const GELU_TANH_NAMES = new Set(['gelu_pytorch_tanh']);

function resolveActivation(config: ArchitectureConfig, source: string): MlpActivation {
  if (SILU_NAMES.has(config.hiddenAct)) return 'silu';
  if (GELU_TANH_NAMES.has(config.hiddenAct)) return 'gelu_pytorch_tanh';
  throw unsupported(source, 'hidden_act', `hidden_act "${config.hiddenAct}" is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, SUPPORTED_ACTIVATIONS.join(', '));
}

/** Per-layer inverse frequencies: Gemma 3's sliding layers rotate with localRopeTheta and no rope scaling. */
function resolveLayerInvFreq(config: ArchitectureConfig, global: Float64Array, source: string): { local: Float64Array | null; perLayer: Float64Array[] } {
  if (config.localRopeTheta === null) return { local: null, perLayer: config.layerTypes.map(() => global) };
  const local = ropeInvFreq({ ...config, ropeTheta: config.localRopeTheta, ropeScaling: null }, source);
  return { local, perLayer: config.layerTypes.map((type) => (type === 'sliding_attention' ? local : global)) };
}

function unsupported(source: string, field: string, message: string, limit?: string): ModelError {
  return new ModelError('UNSUPPORTED_CONFIG', `${source}: ${message}`, { file: source, field, limit });
}

/** Sliding-window length per layer from the config's per-layer types (resolved by @layerprune/architectures). */
function resolveLayerWindows(config: ArchitectureConfig): (number | null)[] {
  return config.layerTypes.map((type) => (type === 'sliding_attention' ? config.slidingWindow : null));
}

/** Validates what the engines support and derives the per-layer settings. `raw` is config.json verbatim (or {}). */
export function resolveArchitecture(config: ArchitectureConfig, raw: Record<string, unknown>, source: string): Architecture {
  if (!SUPPORTED_MODEL_TYPES.includes(config.modelType)) {
    throw new ModelError('UNSUPPORTED_ARCHITECTURE', `${source}: model_type "${config.modelType}" is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`, {
      file: source,
      field: 'model_type',
      limit: SUPPORTED_MODEL_TYPES.join(', '),
    });
  }
  const activation = resolveActivation(config, source);
  if (raw.mlp_bias === true) throw unsupported(source, 'mlp_bias', 'mlp_bias=true is not supported');
  const partial = raw.partial_rotary_factor;
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw unsupported(source, 'partial_rotary_factor', `partial_rotary_factor ${JSON.stringify(partial)} is not supported (only 1)`, '1');
  }
  if (config.numAttentionHeads % config.numKeyValueHeads !== 0) {
    throw unsupported(source, 'num_key_value_heads', `num_key_value_heads ${config.numKeyValueHeads} must divide num_attention_heads ${config.numAttentionHeads}`);
  }
  const invFreq = ropeInvFreq(config, source);
  const layerInvFreq = resolveLayerInvFreq(config, invFreq, source);
  return {
    config,
    source,
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    numLayers: config.numHiddenLayers,
    numHeads: config.numAttentionHeads,
    numKvHeads: config.numKeyValueHeads,
    headDim: config.headDim,
    groupSize: config.numAttentionHeads / config.numKeyValueHeads,
    vocabSize: config.vocabSize,
    rmsNormEps: config.rmsNormEps,
    attentionScale: config.attentionScale,
    invFreq,
    localInvFreq: layerInvFreq.local,
    layerInvFreq: layerInvFreq.perLayer,
    layerWindows: resolveLayerWindows(config),
    // `=== true`: configs built in code before qwen3 was supported lack the field.
    qkNorm: config.qkNorm === true,
    normWeightOffset: config.normWeightOffset,
    sandwichNorms: config.sandwichNorms,
    // torch multiplies by a tensor of sqrt(hidden) in the activation dtype (float32 here).
    embeddingScale: Math.fround(config.embeddingScale),
    attnLogitSoftcap: config.attnLogitSoftcap,
    finalLogitSoftcap: config.finalLogitSoftcap,
    activation,
  };
}
