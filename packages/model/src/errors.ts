// Every failure of @layerprune/model is a ModelError with a stable `code` and a
// message that names the directory or file, the tensor or config field and the
// limit involved, so the CLI can print it as one line.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

export type ModelErrorCode =
  | 'MODEL_DIR_INVALID'
  | 'UNSUPPORTED_ARCHITECTURE'
  | 'UNSUPPORTED_CONFIG'
  | 'CONFIG_FIELD_MISSING'
  // Weights vs config.json: the codes of @layerprune/tensor-io's validateModelWeights, kept as they are.
  | 'WEIGHTS_MISMATCH'
  | 'TENSOR_MISSING'
  | 'TENSOR_UNEXPECTED'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'SYMLINK_OUTSIDE_MODEL_DIR'
  | 'NON_FINITE_WEIGHT'
  | 'BACKEND_UNAVAILABLE'
  | 'ENGINE_UNAVAILABLE'
  | 'ENGINE_UNSUPPORTED'
  | 'MODEL_TOO_LARGE'
  | 'INVALID_TOKENS'
  | 'INVALID_OPTION'
  | 'LAYER_OUT_OF_RANGE'
  | 'SEQUENCE_TOO_LONG'
  | 'DISPOSED';

export type ModelErrorDetails = Pick<LayerpruneErrorDetails, 'file' | 'tensor' | 'field' | 'limit' | 'cause' | 'expected' | 'found'>;

export class ModelError extends LayerpruneError<ModelErrorCode> {
  constructor(code: ModelErrorCode, message: string, details: ModelErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isModelError(value: unknown): value is ModelError {
  return value instanceof ModelError;
}
