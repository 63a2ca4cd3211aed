// What each engine computes, as data: a config's features (the fields of
// ArchitectureConfig that change the block's math) against the features each
// engine implements for inference and for LoRA training. Engine factories and
// preflight ask `missingFeatures` so that `auto` can fall back with a reason and a
// pipeline can refuse before any work starts; nothing branches on model_type.
import { ARCHITECTURE_SPECS } from './architecture-specs.js';
import { ArchitectureError } from './errors.js';
import type { ArchitectureConfig } from './parse-architecture-config.js';

export type EngineName = 'tfjs' | 'onnx';
export type EngineTask = 'inference' | 'training';

export type ArchitectureFeature =
  | 'attention-bias'
  | 'mlp-bias'
  | 'qk-norm'
  | 'sliding-window'
  | 'fused-projections'
  | 'norm-weight-offset'
  | 'sandwich-norms'
  | 'embedding-scale'
  | 'attention-softcap'
  | 'final-softcap'
  | 'gelu-tanh'
  | 'local-rope';

/** The config field each feature comes from, for messages. */
export const FEATURE_FIELDS: Readonly<Record<ArchitectureFeature, string>> = {
  'attention-bias': 'attention_bias',
  'mlp-bias': 'mlp_bias',
  'qk-norm': 'model_type (q_norm / k_norm)',
  'sliding-window': 'sliding_window',
  'fused-projections': 'model_type (qkv_proj / gate_up_proj)',
  'norm-weight-offset': 'model_type ((1 + w) RMSNorm)',
  'sandwich-norms': 'model_type (pre/post feed-forward norms)',
  'embedding-scale': 'model_type (embeddings x sqrt(hidden_size))',
  'attention-softcap': 'attn_logit_softcapping',
  'final-softcap': 'final_logit_softcapping',
  'gelu-tanh': 'hidden_activation',
  'local-rope': 'rope_local_base_freq',
};

/** Every feature but Llama's mlp_bias, which no engine computes yet (model's resolveArchitecture refuses it). */
const ALL = (Object.keys(FEATURE_FIELDS) as ArchitectureFeature[]).filter((f) => f !== 'mlp-bias');

/** Features each engine implements, per task (each engine's tests compare every listed feature with a float64 reference). */
export const ENGINE_FEATURES: Readonly<Record<EngineName, Readonly<Record<EngineTask, readonly ArchitectureFeature[]>>>> = {
  tfjs: { inference: ALL, training: ALL },
  onnx: {
    inference: ALL,
    // The hand-written backward covers the Llama/Qwen and Gemma 2 / 3 blocks (engine-onnx's
    // trainer tests compare its gradients with tfjs autodiff and float64 finite differences)
    // and Phi-3's fused adapters (each part's graph gets the shared A and its rows of B; the
    // host sums the parts' dA and scatters their dB rows).
    training: [
      'fused-projections',
      'attention-bias',
      'qk-norm',
      'sliding-window',
      'norm-weight-offset',
      'sandwich-norms',
      'embedding-scale',
      'attention-softcap',
      'final-softcap',
      'gelu-tanh',
      'local-rope',
    ],
  },
};

/** Activations the engines compute (swish is silu under another name). */
export const SUPPORTED_ACTIVATIONS: readonly string[] = ['silu', 'swish', 'gelu_pytorch_tanh'];

/**
 * What the feature check reads of a config. Every field may be absent (a training
 * config written before a feature existed): absent means the plain Llama block.
 */
export type FeatureView = Partial<
  Pick<
    ArchitectureConfig,
    | 'attentionBias'
    | 'mlpBias'
    | 'qkNorm'
    | 'layerTypes'
    | 'fusedProjections'
    | 'normWeightOffset'
    | 'sandwichNorms'
    | 'embeddingScale'
    | 'attnLogitSoftcap'
    | 'finalLogitSoftcap'
    | 'hiddenAct'
    | 'localRopeTheta'
  >
>;

/** The features of a config that change the block's math beyond the plain Llama block. */
export function architectureFeatures(config: FeatureView): ArchitectureFeature[] {
  const out: ArchitectureFeature[] = [];
  if (config.attentionBias === true) out.push('attention-bias');
  if (config.mlpBias === true) out.push('mlp-bias');
  if (config.qkNorm === true) out.push('qk-norm');
  if (config.layerTypes?.includes('sliding_attention') === true) out.push('sliding-window');
  if (config.fusedProjections === true) out.push('fused-projections');
  if ((config.normWeightOffset ?? 0) !== 0) out.push('norm-weight-offset');
  if (config.sandwichNorms === true) out.push('sandwich-norms');
  if ((config.embeddingScale ?? 1) !== 1) out.push('embedding-scale');
  if ((config.attnLogitSoftcap ?? null) !== null) out.push('attention-softcap');
  if ((config.finalLogitSoftcap ?? null) !== null) out.push('final-softcap');
  if (config.hiddenAct === 'gelu_pytorch_tanh') out.push('gelu-tanh');
  if ((config.localRopeTheta ?? null) !== null) out.push('local-rope');
  return out;
}

/** The config's features `engine` does not implement for `task` (empty: it runs). */
export function missingFeatures(config: FeatureView, engine: EngineName, task: EngineTask): ArchitectureFeature[] {
  const supported = ENGINE_FEATURES[engine][task];
  return architectureFeatures(config).filter((feature) => !supported.includes(feature));
}

/**
 * Settings no engine computes (a rope type or activation outside what the
 * engines implement, e.g. Phi-3.5's longrope), as a typed UNSUPPORTED_CONFIG
 * naming the field and the supported values; null when the model runs. Inspect
 * and prune work by tensor name and do not need this.
 */
export function unsupportedSetting(config: ArchitectureConfig, file: string): ArchitectureError | null {
  const ropeTypes = ARCHITECTURE_SPECS[config.modelType].ropeTypes;
  const rope = config.ropeScaling?.ropeType;
  if (rope !== undefined && !ropeTypes.includes(rope)) {
    return new ArchitectureError('UNSUPPORTED_CONFIG', `${file}: rope_scaling type "${rope}" is not supported for ${config.modelType} (supported: ${ropeTypes.join(', ')})`, {
      file,
      field: 'rope_scaling.rope_type',
      limit: ropeTypes.join(', '),
      found: rope,
    });
  }
  if (!SUPPORTED_ACTIVATIONS.includes(config.hiddenAct)) {
    return new ArchitectureError('UNSUPPORTED_CONFIG', `${file}: activation "${config.hiddenAct}" is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, {
      file,
      field: 'hidden_act',
      limit: SUPPORTED_ACTIVATIONS.join(', '),
      found: config.hiddenAct,
    });
  }
  return null;
}
