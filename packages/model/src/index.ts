export { ModelError } from './errors.js';
export type { ModelErrorCode, ModelErrorDetails } from './errors.js';

export { selectBackend } from './backend/select-backend.js';
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
export type { Architecture } from './config/resolve-architecture.js';

export type { Engine, Decoder, TokenBatch, EngineForwardRequest, EngineForwardResult, PositionSelection, WeightMode } from './engine.js';

export { LINEAR_MODULES, linearShape } from './weights/block-weights.js';
export type { BlockWeights, WeightProvider, LinearModule } from './weights/block-weights.js';
export { finiteWeightProvider } from './weights/finite-weight-provider.js';

export { TfjsEngine } from './tfjs/tfjs-engine.js';
export type { AcquiredBlock, AcquiredHead, TfjsEngineOptions } from './tfjs/tfjs-engine.js';
export { blockForward } from './tfjs/block.js';
export type { BlockCallOptions, KvEntry } from './tfjs/block.js';
export { createBlockContext } from './tfjs/block-context.js';
export type { BlockContext, BlockContextShape } from './tfjs/block-context.js';
export { materializeBlock } from './tfjs/block-tensors.js';
export type { BlockTensors } from './tfjs/block-tensors.js';
export type { HeadTensors } from './tfjs/head-tensors.js';
export type { LinearDeltaHook } from './tfjs/linear-delta.js';
export { matMul2d } from './tfjs/mat-mul.js';
export { FrozenWeight } from './tfjs/frozen-weight.js';
export type { WeightLayout } from './tfjs/frozen-weight.js';
export { rmsNorm } from './tfjs/rms-norm.js';
export { unstackRows, stackRows } from './tfjs/split-rows.js';

export { argmax } from './generate/sample-token.js';

export { loadTokenizer } from './tokenizer/index.js';
export type { Tokenizer } from './tokenizer/index.js';
