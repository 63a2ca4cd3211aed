// Turns a validated ArchitectureConfig (plus the verbatim config.json for fields
// tensor-io does not normalise) into the numbers the engines run with, and
// refuses, with a ModelError naming the field, every setting this runtime would
// otherwise compute wrongly.
import type { ArchitectureConfig } from '@layerprune/architectures';
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
  /** 1 / sqrt(headDim). */
  readonly attentionScale: number;
  readonly invFreq: Float64Array;
  /** Sliding-window length per layer (a key j is visible from query i when i - window < j <= i), or null for full causal attention. */
  readonly layerWindows: readonly (number | null)[];
  /** Per-head RMSNorm of queries and keys before rotary (qwen3's q_norm / k_norm, eps rmsNormEps). */
  readonly qkNorm: boolean;
}

const MODEL_TYPES: readonly string[] = ['llama', 'mistral', 'qwen2', 'qwen3'];

const SILU_NAMES = new Set(['silu', 'swish']);

function unsupported(source: string, field: string, message: string, limit?: string): ModelError {
  return new ModelError('UNSUPPORTED_CONFIG', `${source}: ${message}`, { file: source, field, limit });
}

/** Sliding-window length per layer from the config's per-layer types (resolved by @layerprune/architectures). */
function resolveLayerWindows(config: ArchitectureConfig): (number | null)[] {
  return config.layerTypes.map((type) => (type === 'sliding_attention' ? config.slidingWindow : null));
}

/** Validates what the engines support and derives the per-layer settings. `raw` is config.json verbatim (or {}). */
export function resolveArchitecture(config: ArchitectureConfig, raw: Record<string, unknown>, source: string): Architecture {
  if (!MODEL_TYPES.includes(config.modelType)) {
    throw new ModelError('UNSUPPORTED_ARCHITECTURE', `${source}: model_type "${config.modelType}" is not supported (supported: ${MODEL_TYPES.join(', ')})`, {
      file: source,
      field: 'model_type',
      limit: MODEL_TYPES.join(', '),
    });
  }
  if (!SILU_NAMES.has(config.hiddenAct)) {
    throw unsupported(source, 'hidden_act', `hidden_act "${config.hiddenAct}" is not supported (supported: silu)`, 'silu');
  }
  if (raw.mlp_bias === true) throw unsupported(source, 'mlp_bias', 'mlp_bias=true is not supported');
  const partial = raw.partial_rotary_factor;
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw unsupported(source, 'partial_rotary_factor', `partial_rotary_factor ${JSON.stringify(partial)} is not supported (only 1)`, '1');
  }
  if (config.numAttentionHeads % config.numKeyValueHeads !== 0) {
    throw unsupported(source, 'num_key_value_heads', `num_key_value_heads ${config.numKeyValueHeads} must divide num_attention_heads ${config.numAttentionHeads}`);
  }
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
    attentionScale: 1 / Math.sqrt(config.headDim),
    invFreq: ropeInvFreq(config, source),
    layerWindows: resolveLayerWindows(config),
    // `=== true`: configs built in code before qwen3 was supported lack the field.
    qkNorm: config.qkNorm === true,
  };
}
