// The architecture facts the trainer needs, a subset of tensor-io's
// LlamaFamilyConfig (so a config from openModelDir passes as it is).
import type { LlamaFamilyConfig } from '@layerprune/tensor-io';
import { LoraError } from './lora-error.js';

export type TrainModelConfig = Pick<
  LlamaFamilyConfig,
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
>;

/** Refuses architectures the training block does not implement (instead of training something else). */
export function checkTrainable(config: TrainModelConfig, where: string): void {
  if (config.hiddenAct !== 'silu') {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: hidden_act "${config.hiddenAct}" is not supported for training (only silu)`, {
      field: 'hidden_act',
    });
  }
  const rope = config.ropeScaling;
  if (rope && rope.ropeType !== 'default' && rope.ropeType !== 'linear') {
    throw new LoraError('UNSUPPORTED_MODEL', `${where}: rope_scaling type "${rope.ropeType}" is not supported for training (default, linear)`, {
      field: 'rope_scaling',
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
}
