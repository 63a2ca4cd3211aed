// Every failure of this package is an ArchitectureError with a stable `code` and a
// message naming the config file and field, or the tensor, and the limit involved.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

export type ArchitectureErrorCode =
  | 'CONFIG_INVALID'
  | 'UNSUPPORTED_ARCHITECTURE'
  /** A setting the architecture has but no engine computes (e.g. Phi-3 longrope): refused rather than computed wrongly. */
  | 'UNSUPPORTED_CONFIG'
  | 'INVALID_ARGUMENT'
  // A model directory whose weights disagree with its config.json (validateModelWeights).
  | 'WEIGHTS_MISMATCH'
  | 'TENSOR_MISSING'
  | 'TENSOR_UNEXPECTED'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH';

export type ArchitectureErrorDetails = Pick<LayerpruneErrorDetails, 'file' | 'tensor' | 'field' | 'limit' | 'cause' | 'expected' | 'found'>;

export class ArchitectureError extends LayerpruneError<ArchitectureErrorCode> {
  constructor(code: ArchitectureErrorCode, message: string, details: ArchitectureErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isArchitectureError(value: unknown): value is ArchitectureError {
  return value instanceof ArchitectureError;
}
