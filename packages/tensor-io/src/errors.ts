// Every failure of this package is a TensorIoError with a stable `code`, and a
// message that names the file, the tensor and the limit involved.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

export type TensorIoErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_TOO_SMALL'
  | 'FILE_TRUNCATED'
  | 'READ_FAILED'
  | 'HEADER_TOO_LARGE'
  | 'HEADER_OUT_OF_BOUNDS'
  | 'HEADER_NOT_JSON'
  | 'HEADER_INVALID'
  | 'UNKNOWN_DTYPE'
  | 'INVALID_SHAPE'
  | 'SHAPE_DTYPE_MISMATCH'
  | 'OFFSETS_OUT_OF_BOUNDS'
  | 'OFFSETS_OVERLAP'
  | 'OFFSETS_GAP'
  | 'DUPLICATE_TENSOR'
  | 'INVALID_METADATA'
  | 'TENSOR_NOT_FOUND'
  | 'TENSOR_TOO_LARGE'
  | 'DATA_MISMATCH'
  | 'INDEX_INVALID'
  | 'PATH_TRAVERSAL'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'WEIGHTS_NOT_FOUND'
  | 'WRITE_FAILED'
  | 'INVALID_SIZE'
  | 'INVALID_ARGUMENT'
  | 'SYMLINK_OUTSIDE_MODEL_DIR'
  // A Hugging Face repo id (`org/name[@revision]`) that the local cache does not hold (resolveModelSource).
  | 'MODEL_NOT_IN_CACHE'
  | 'HF_CACHE_INVALID';

export type TensorIoErrorDetails = Pick<LayerpruneErrorDetails, 'file' | 'tensor' | 'field' | 'limit' | 'cause' | 'expected' | 'found'>;

export class TensorIoError extends LayerpruneError<TensorIoErrorCode> {
  constructor(code: TensorIoErrorCode, message: string, details: TensorIoErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isTensorIoError(value: unknown): value is TensorIoError {
  return value instanceof TensorIoError;
}
