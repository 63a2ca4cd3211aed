// Every failure of the converter is a ConvertError with a stable `code` and a
// message that names the file, the field and the limit involved, so the CLI can
// print one useful line and tests can assert on the code.
import { LayerpruneError } from '@layerprune/safe-output';

export type ConvertErrorCode =
  | 'FILE_NOT_FOUND'
  | 'READ_FAILED'
  | 'CHECKPOINT_TOO_SMALL'
  | 'CHECKPOINT_UNSUPPORTED_VERSION'
  | 'CHECKPOINT_HEADER_INVALID'
  | 'CHECKPOINT_TRUNCATED'
  | 'CHECKPOINT_TRAILING_BYTES'
  | 'NON_FINITE_WEIGHT'
  | 'TOKENIZER_INVALID'
  | 'TOKENIZER_TRUNCATED'
  | 'TOKENIZER_UNSUPPORTED'
  | 'TOKENIZER_MISMATCH'
  | 'OUTPUT_EXISTS'
  | 'WRITE_FAILED'
  | 'INVALID_ARGUMENT';

export interface ConvertErrorDetails {
  file?: string;
  field?: string;
  limit?: number | string;
  cause?: unknown;
}

export class ConvertError extends LayerpruneError<ConvertErrorCode> {
  constructor(code: ConvertErrorCode, message: string, details: ConvertErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isConvertError(value: unknown): value is ConvertError {
  return value instanceof ConvertError;
}
