export { onnxEngineFactory } from './onnx-engine-factory.js';
export { ONNX_DEVICES, MAX_THREADS } from './options.js';
export type { OnnxDevice, OnnxEngineOptions } from './options.js';
export { OnnxEngineError, isOnnxEngineError } from './errors.js';
export type { OnnxEngineErrorCode } from './errors.js';
export { onnxTrainerFactory } from './training/onnx-trainer-factory.js';
export { OnnxLoraTrainer } from './training/onnx-lora-trainer.js';
export type { OnnxTrainerOptions } from './training/onnx-lora-trainer.js';
export type { KeepActivations, KeepDecision } from './training/keep-activations.js';
