export { onnxEngineFactory } from './onnx-engine-factory.js';
export { ONNX_DEVICES, MAX_THREADS } from './options.js';
export type { OnnxDevice, OnnxEngineOptions } from './options.js';
export { OnnxEngineError, isOnnxEngineError } from './errors.js';
export type { OnnxEngineErrorCode } from './errors.js';
