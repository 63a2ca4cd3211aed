export { TensorIoError, isTensorIoError } from './errors.js';
export type { TensorIoErrorCode, TensorIoErrorDetails } from './errors.js';
export { DTYPE_BYTES } from './types.js';
export type { DType, TensorInfo, TensorArray, TensorSource } from './types.js';
