// Every failure of the converter is a ConvertError with a stable `code` and a
// message that names the file, the field and the limit involved, so the CLI can
// print one useful line and tests can assert on the code.

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

export class ConvertError extends Error {
  readonly code: ConvertErrorCode;
  readonly file?: string;
  readonly field?: string;
  readonly limit?: number | string;

  constructor(code: ConvertErrorCode, message: string, details: ConvertErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConvertError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
    this.limit = details.limit;
  }
}

export function isConvertError(value: unknown): value is ConvertError {
  return value instanceof ConvertError;
}
