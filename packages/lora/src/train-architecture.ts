// The model runtime's Architecture for a training config, so training runs the
// very block the runtime evaluates with (@layerprune/model blockForward).
import { resolveArchitecture, type Architecture } from '@layerprune/model';
import type { ArchitectureConfig } from '@layerprune/architectures';
import type { TrainModelConfig } from './train-model-config.js';

/** `source` names the config in error messages. The rotary tables come from the returned invFreq (one definition, @layerprune/model's). */
export function trainArchitecture(config: TrainModelConfig, source = 'training config'): Architecture {
  const full: ArchitectureConfig = {
    maxPositionEmbeddings: 0,
    torchDtype: null,
    bosTokenId: null,
    eosTokenId: null,
    // The plain Llama block unless the config says otherwise.
    mlpBias: false,
    fusedProjections: false,
    normWeightOffset: 0,
    sandwichNorms: false,
    embeddingScale: 1,
    attentionScale: config.headDim ** -0.5,
    attnLogitSoftcap: null,
    finalLogitSoftcap: null,
    localRopeTheta: null,
    ...config,
    // The model type is not read past this point: every family difference is a field above.
    modelType: 'llama',
    // Per-layer types pick Gemma 3's local rotary frequencies and each layer's window: the
    // block masks exactly as inference does (heal still keeps seq_len within every window, see
    // checkTrainingWindows). Configs without them train with full attention everywhere.
    slidingWindow: config.slidingWindow ?? null,
    layerTypes: config.layerTypes ?? new Array<'full_attention'>(config.numHiddenLayers).fill('full_attention'),
    // qwen3's q/k norms are part of the block whatever the model type says.
    qkNorm: config.qkNorm === true,
  };
  return resolveArchitecture(full, {}, source);
}
