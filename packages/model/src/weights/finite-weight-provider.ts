// NaN or Infinity in a weight makes every logit NaN: a loss of NaN, accuracy at
// chance and generated text of token 0, all reported as if they were results.
// Every engine gets its weights through this wrapper (createModelFromProvider
// applies it), so eval, generate and analyze refuse such a model with the
// tensor named, whatever the provider (safetensors, in-memory, dequantizing).
import { ModelError } from '../errors.js';
import { LINEAR_MODULES, linearModulePath } from './block-weights.js';
import type { BlockWeights, PackedBlockWeights, WeightProvider } from './block-weights.js';
import { linearWeightLabel } from './block-linears.js';
import type { ArchitectureConfig } from '@layerprune/architectures';

/** Index of the first NaN / +-Infinity in `values`, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v - v is 0 for every finite v and NaN for NaN and +-Infinity.
    if (v - v !== 0) return i;
  }
  return -1;
}

function check(values: Float32Array, tensor: string, source: string): void {
  const i = firstNonFinite(values);
  if (i < 0) return;
  throw new ModelError('NON_FINITE_WEIGHT', `${source}: tensor ${tensor} holds ${values[i]} at flat index ${i}; weights must be finite numbers`, {
    file: source,
    tensor,
    field: 'values',
    expected: 'finite',
    found: String(values[i]),
  });
}

function checkOptionalNorms(w: Pick<BlockWeights, 'qNorm' | 'kNorm' | 'preFeedforwardLayernorm' | 'postFeedforwardLayernorm'>, layer: number, source: string): void {
  if (w.qNorm) check(w.qNorm, `model.layers.${layer}.self_attn.q_norm.weight`, source);
  if (w.kNorm) check(w.kNorm, `model.layers.${layer}.self_attn.k_norm.weight`, source);
  // Gemma's MLP norms: checked with the other optional norms.
  if (w.preFeedforwardLayernorm) check(w.preFeedforwardLayernorm, `model.layers.${layer}.pre_feedforward_layernorm.weight`, source);
  if (w.postFeedforwardLayernorm) check(w.postFeedforwardLayernorm, `model.layers.${layer}.post_feedforward_layernorm.weight`, source);
}

/** `config` names each weight as the checkpoint stores it (a fused Phi-3 tensor with the module's rows). */
function checkBlock(weights: BlockWeights, layer: number, source: string, config: ArchitectureConfig): void {
  check(weights.inputLayernorm, `model.layers.${layer}.input_layernorm.weight`, source);
  check(weights.postAttentionLayernorm, `model.layers.${layer}.post_attention_layernorm.weight`, source);
  checkOptionalNorms(weights, layer, source);
  for (const module of LINEAR_MODULES) {
    check(weights.linear[module], linearWeightLabel(config, layer, module), source);
    const bias = weights.bias[module];
    if (bias) check(bias, `${linearModulePath(layer, module)}.bias`, source);
  }
}

/** The float parts of a 4-bit block: norms, biases and every absmax (a NaN absmax poisons a whole block of weights). */
function checkPackedBlock(w: PackedBlockWeights, layer: number, source: string, config: ArchitectureConfig): void {
  check(w.inputLayernorm, `model.layers.${layer}.input_layernorm.weight`, source);
  check(w.postAttentionLayernorm, `model.layers.${layer}.post_attention_layernorm.weight`, source);
  checkOptionalNorms(w, layer, source);
  for (const module of LINEAR_MODULES) {
    check(w.linear[module].absmax, `${linearWeightLabel(config, layer, module)} (absmax)`, source);
    const bias = w.bias[module];
    if (bias) check(bias, `${linearModulePath(layer, module)}.bias`, source);
  }
}

/**
 * `provider` with every array checked for NaN / Infinity the first time it is
 * handed out (NON_FINITE_WEIGHT naming the tensor and index). Each tensor is
 * checked once: a streaming engine that re-reads block l per pass pays the
 * scan (about 1 ns per value) on the first pass only.
 */
export function finiteWeightProvider(provider: WeightProvider, source: string): WeightProvider {
  const checked = new Set<string>();
  const once = <T>(key: string, value: T, run: (value: T) => void): T => {
    if (!checked.has(key)) {
      run(value);
      checked.add(key);
    }
    return value;
  };
  const embeddingName = 'model.embed_tokens.weight';
  return {
    config: provider.config,
    ...(provider.reusesArrays ? { reusesArrays: true } : {}),
    embedding: async () => once('embedding', await provider.embedding(), (v) => check(v, embeddingName, source)),
    finalNorm: async () => once('norm', await provider.finalNorm(), (v) => check(v, 'model.norm.weight', source)),
    lmHead: async () =>
      once('lm_head', await provider.lmHead(), (v) => check(v, provider.config.tieWordEmbeddings ? embeddingName : 'lm_head.weight', source)),
    getBlockWeights: async (layer) => once(`layer ${layer}`, await provider.getBlockWeights(layer), (w) => checkBlock(w, layer, source, provider.config)),
    ...(provider.getPackedBlockWeights
      ? {
          getPackedBlockWeights: async (layer: number) =>
            once(`packed layer ${layer}`, await provider.getPackedBlockWeights!(layer), (w) => {
              if (w) checkPackedBlock(w, layer, source, provider.config);
            }),
        }
      : {}),
    close: () => provider.close(),
  };
}
