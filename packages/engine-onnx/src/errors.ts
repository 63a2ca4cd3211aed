// Every failure of @layerprune/engine-onnx is an OnnxEngineError with a stable
// `code`, naming the option, device or runtime package involved.
import { LayerpruneError } from '@layerprune/safe-output';

export type OnnxEngineErrorCode =
  /** onnxruntime-node is not installed or its native binary does not load. */
  | 'ENGINE_UNAVAILABLE'
  /** The requested execution provider (e.g. cuda) is not in this onnxruntime-node build. */
  | 'DEVICE_UNAVAILABLE'
  | 'INVALID_OPTION'
  /** onnxruntime rejected or failed a graph (a bug here, reported with the graph's name). */
  | 'RUNTIME_FAILED'
  | 'DISPOSED';

export class OnnxEngineError extends LayerpruneError<OnnxEngineErrorCode> {}

export function isOnnxEngineError(value: unknown): value is OnnxEngineError {
  return value instanceof OnnxEngineError;
}
