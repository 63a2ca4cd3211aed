export { ArchitectureError, isArchitectureError } from './errors.js';
export type { ArchitectureErrorCode, ArchitectureErrorDetails } from './errors.js';
export { parseArchitectureConfig } from './parse-architecture-config.js';
export { SUPPORTED_MODEL_TYPES } from './architecture-specs.js';
export type { ModelType } from './architecture-specs.js';
export type { ArchitectureConfig } from './parse-architecture-config.js';
export { expectedModelTensors } from './expected-model-tensors.js';
export type { ExpectedTensor, ExpectedDim } from './expected-model-tensors.js';
export { layerTensorName, parseLayerTensorName } from './tensor-names.js';
export { checkModelWeights } from './check-model-weights.js';
export type { ModelWeightsView } from './check-model-weights.js';
export { validateModelWeights } from './validate-model-weights.js';
export { openModelDir } from './open-model-dir.js';
export type { ModelDir, OpenModelDirOptions } from './open-model-dir.js';
export { ARCHITECTURE_SPECS, architectureSpec } from './architecture-specs.js';
export type { ArchitectureSpec, SlidingRule } from './architecture-specs.js';
export type { LayerType } from './layer-types.js';
export {
  ATTENTION_MODULES,
  LINEAR_MODULES,
  MLP_MODULES,
  blockNorms,
  checkpointLinearOf,
  checkpointLinears,
  hasLinearBias,
  linearShape,
  modulePath,
} from './block-modules.js';
export type { BlockNorm, CheckpointLinear, LinearModule, ModulePart } from './block-modules.js';
export { ENGINE_FEATURES, FEATURE_FIELDS, SUPPORTED_ACTIVATIONS, architectureFeatures, missingFeatures, unsupportedSetting } from './engine-support.js';
export type { ArchitectureFeature, EngineName, EngineTask, FeatureView } from './engine-support.js';
