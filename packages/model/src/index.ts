export { ModelError, isModelError } from './errors.js';
export type { ModelErrorCode, ModelErrorDetails } from './errors.js';

export { selectBackend, activeBackend, defaultBackendDeps } from './backend/select-backend.js';
export { chooseBackend, isBackendName, BACKEND_NAMES, BACKEND_CANDIDATES } from './backend/choose-backend.js';
export type { BackendName, ConcreteBackend, BackendDeps, BackendChoice, BackendCandidate } from './backend/choose-backend.js';

export { loadModel, createModelFromProvider, residentLimitBytes, WASM_RESIDENT_LIMIT_BYTES } from './load-model.js';
export { residentWeightBytes, estimateLoadMemoryBytes } from './memory/estimate-load-memory.js';
export type { WeightCache } from './memory/estimate-load-memory.js';
export { machineMemoryBytes, MEMORY_ENV } from './memory/machine-memory-bytes.js';
export type { LoadModelOptions, CreateModelOptions } from './load-model.js';
export { createLlamaModel, padBatch } from './llama-model.js';
export type { LlamaModel, ForwardOptions, ForwardResult, LlamaModelInit } from './llama-model.js';
export type { GenerateOptions } from './generate/generate-tokens.js';

export { resolveArchitecture } from './config/resolve-architecture.js';
export type { Architecture } from './config/resolve-architecture.js';
export { ropeInvFreq, SUPPORTED_ROPE_TYPES } from './rope/rope-inv-freq.js';
export { ropeTables } from './rope/rope-tables.js';
export type { RopeTables } from './rope/rope-tables.js';

export type { Engine, Decoder, TokenBatch, EngineForwardRequest, EngineForwardResult, PositionSelection, WeightMode } from './engine.js';

export { LINEAR_MODULES, ATTENTION_MODULES, MLP_MODULES, linearModulePath, linearShape } from './weights/block-weights.js';
export type { BlockWeights, WeightProvider, LinearModule } from './weights/block-weights.js';
export { HfWeightProvider } from './weights/hf-weight-provider.js';
export { finiteWeightProvider } from './weights/finite-weight-provider.js';
export type { HfWeightProviderOptions } from './weights/hf-weight-provider.js';
export { readerFromWeightStore, readerFromMap } from './weights/tensor-reader.js';
export type { TensorReader, InMemoryTensor } from './weights/tensor-reader.js';

export { TfjsEngine } from './tfjs/tfjs-engine.js';
export type { AcquiredBlock, AcquiredHead, TfjsEngineOptions } from './tfjs/tfjs-engine.js';
export { blockForward } from './tfjs/block.js';
export type { BlockCallOptions, KvEntry } from './tfjs/block.js';
export { createBlockContext } from './tfjs/block-context.js';
export type { BlockContext, BlockContextShape } from './tfjs/block-context.js';
export { materializeBlock, tensorFromArray } from './tfjs/block-tensors.js';
export type { BlockTensors } from './tfjs/block-tensors.js';
export { headLogits } from './tfjs/head-tensors.js';
export type { HeadTensors } from './tfjs/head-tensors.js';
export type { LinearDeltaHook } from './tfjs/linear-delta.js';
export { matMul2d } from './tfjs/mat-mul.js';
export { FrozenWeight } from './tfjs/frozen-weight.js';
export type { WeightLayout } from './tfjs/frozen-weight.js';
export { rmsNorm } from './tfjs/rms-norm.js';
export { unstackRows, stackRows } from './tfjs/split-rows.js';

export { createRng } from './generate/create-rng.js';
export { sampleToken, argmax } from './generate/sample-token.js';
export type { SamplingOptions } from './generate/sample-token.js';

export { loadTokenizer, TokenizerError } from './tokenizer/index.js';
export type { Tokenizer, TokenizerErrorCode } from './tokenizer/index.js';
