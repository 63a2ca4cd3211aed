// The architecture facts the trainer needs, a subset of tensor-io's
// ArchitectureConfig (so a config from openModelDir passes as it is).
import { SUPPORTED_ACTIVATIONS, type ArchitectureConfig } from '@layerprune/architectures';
import { LoraError } from './lora-error.js';
import { trainArchitecture } from './train-architecture.js';

/** Rope scaling types training supports: those of the model runtime, whose inverse frequencies it trains with. */
export const TRAIN_ROPE_TYPES: readonly string[] = ['default', 'linear', 'llama3'];

/** MLP activations the training block computes: SwiGLU (silu) and Gemma's GeGLU (tanh GELU), the runtime's own mlp(). */

export type TrainModelConfig = Pick<
  ArchitectureConfig,
  | 'hiddenSize'
  | 'intermediateSize'
  | 'numHiddenLayers'
  | 'numAttentionHeads'
  | 'numKeyValueHeads'
  | 'headDim'
  | 'rmsNormEps'
  | 'ropeTheta'
  | 'ropeScaling'
  | 'vocabSize'
  | 'tieWordEmbeddings'
  | 'attentionBias'
  | 'hiddenAct'
> &
  /**
   * qkNorm: the block has qwen3's per-head RMSNorm of queries and keys
   * (`self_attn.q_norm.weight` / `k_norm.weight`, [headDim]) before rotary.
   * Absent means false, so configs written before qwen3 keep their meaning.
   */
  Partial<Pick<ArchitectureConfig, 'qkNorm'>> &
  /**
   * The family features of @layerprune/architectures (Gemma's norms, scales and
   * softcaps, Phi-3's fused projections, per-layer types); absent means the Llama
   * block, so configs written before them keep their meaning.
   */
  Partial<
    Pick<
      ArchitectureConfig,
      | 'mlpBias'
      | 'fusedProjections'
      | 'normWeightOffset'
      | 'sandwichNorms'
      | 'embeddingScale'
      | 'attentionScale'
      | 'attnLogitSoftcap'
      | 'finalLogitSoftcap'
      | 'localRopeTheta'
      | 'layerTypes'
      | 'slidingWindow'
    >
  >;

/**
 * Refuses architectures the training block does not implement (instead of
 * training something else), from the config alone: nothing is loaded or built,
 * so a pipeline can call it before any work starts. `where` starts every message
 * (a model directory, or a stage name such as "heal"). Throws LoraError
 * UNSUPPORTED_MODEL naming the field, or @layerprune/model's ModelError for rope
 * parameters the runtime cannot compute frequencies from (e.g. llama3 without
 * low_freq_factor).
 */
export function checkTrainable(config: TrainModelConfig, where: string): void {
  if (!SUPPORTED_ACTIVATIONS.includes(config.hiddenAct)) {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: hidden_act "${config.hiddenAct}" is not supported for training (only ${SUPPORTED_ACTIVATIONS.join(', ')})`, {
      field: 'hidden_act',
      limit: SUPPORTED_ACTIVATIONS.join(', '),
    });
  }
  const rope = config.ropeScaling;
  if (rope && !TRAIN_ROPE_TYPES.includes(rope.ropeType)) {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: rope_scaling type "${rope.ropeType}" is not supported for training (${TRAIN_ROPE_TYPES.join(', ')})`, {
      field: 'rope_scaling',
      limit: TRAIN_ROPE_TYPES.join(', '),
    });
  }
  if (config.numAttentionHeads % config.numKeyValueHeads !== 0) {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: num_attention_heads ${config.numAttentionHeads} is not a multiple of num_key_value_heads ${config.numKeyValueHeads}`, {
      field: 'num_key_value_heads',
    });
  }
  if (config.headDim % 2 !== 0) {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: head_dim ${config.headDim} must be even for rotary embeddings`, { field: 'head_dim' });
  }
  // The runtime's own checks and rope parameters (the inverse frequencies training uses): cheap, no weights.
  trainArchitecture(config, where);
}
