export { ModelError } from './errors.js';
export type { ModelErrorCode, ModelErrorDetails } from './errors.js';

export { selectBackend } from './engine/tfjs-engine-factory.js';
export { isBackendName, BACKEND_NAMES } from './backend/choose-backend.js';
export type { BackendName, ConcreteBackend, BackendDeps } from './backend/choose-backend.js';

export { loadModel, createModelFromProvider } from './load-model.js';
export { residentWeightBytes, estimateLoadMemoryBytes } from './memory/estimate-load-memory.js';
export type { WeightCache } from './memory/estimate-load-memory.js';
export { machineMemoryBytes } from './memory/machine-memory-bytes.js';
export type { LoadModelOptions, CreateModelOptions } from './load-model.js';
export type { LlamaModel, ForwardOptions, ForwardResult } from './llama-model.js';
export type { GenerateOptions } from './generate/generate-tokens.js';

export { resolveArchitecture } from './config/resolve-architecture.js';
export type { Architecture, MlpActivation } from './config/resolve-architecture.js';

export { tfjsEngineFactory } from './engine/tfjs-engine-factory.js';
export type { EngineFactory, PreparedEngine } from './engine/engine-factory.js';
export { chooseFirstFactory, describeSkipped } from './engine/choose-first-factory.js';
export type { FactoryChoiceRules, SkippedFactory } from './engine/choose-first-factory.js';
export { targetRows, headRows } from './engine/target-rows.js';
export type { TargetRows, HeadRows } from './engine/target-rows.js';
export { causalMaskValues, MASKED_SCORE } from './attention/causal-mask.js';
export { ropeTables } from './rope/rope-tables.js';
export type { RopeTables } from './rope/rope-tables.js';
export { padBatch } from './llama-model.js';
export type { Engine, Decoder, TokenBatch, EngineForwardRequest, EngineForwardResult, PositionSelection, WeightMode } from './engine.js';

export type { BlockWeights, WeightProvider, LinearModule, Packed4bitLinear, PackedBlockWeights } from './weights/block-weights.js';
export { finiteWeightProvider } from './weights/finite-weight-provider.js';
export { packedRowsSplittable, splitPacked4bitRows } from './weights/block-linears.js';
export { HfWeightProvider } from './weights/hf-weight-provider.js';
export type { HfWeightProviderOptions } from './weights/hf-weight-provider.js';
export { readerFromWeightStore } from './weights/tensor-reader.js';
export type { TensorReader } from './weights/tensor-reader.js';
export { readerFromQuantizedWeights, validateQuantizedWeights } from './weights/quantized-tensor-reader.js';

export { argmax } from './generate/sample-token.js';

export { loadTokenizer } from './tokenizer/index.js';
export type { Tokenizer } from './tokenizer/index.js';
