// The model runtime's Architecture for a training config, so training runs the
// very block the runtime evaluates with (@layerprune/model blockForward).
import { resolveArchitecture, type Architecture } from '@layerprune/model';
import type { LlamaFamilyConfig } from '@layerprune/tensor-io';
import type { TrainModelConfig } from './train-model-config.js';

/** `source` names the config in error messages. The rotary tables come from the returned invFreq (one definition, @layerprune/model's). */
export function trainArchitecture(config: TrainModelConfig, source = 'training config'): Architecture {
  const full: LlamaFamilyConfig = {
    maxPositionEmbeddings: 0,
    torchDtype: null,
    bosTokenId: null,
    eosTokenId: null,
    ...config,
    // Training has always used full causal attention (no sliding window); the
    // model type only selects window rules, so plain llama keeps that exactly.
    modelType: 'llama',
    slidingWindow: null,
    // qwen3's q/k norms are part of the block whatever the model type says.
    qkNorm: config.qkNorm === true,
  };
  return resolveArchitecture(full, {}, source);
}
