// Every failure of @layerprune/eval is an EvalError with a stable `code` and a
// message that names the file, line, field and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.
import { LayerpruneError } from '@layerprune/safe-output';
import { isDataError } from '@layerprune/data';

export type EvalErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_REGULAR_FILE'
  | 'READ_FAILED'
  | 'DECOMPRESS_FAILED'
  | 'DECOMPRESSED_TOO_LARGE'
  | 'DOCUMENT_TOO_LARGE'
  | 'INVALID_UTF8'
  | 'MALFORMED_PARQUET'
  | 'MISSING_FIELD'
  | 'FIELD_NOT_STRING'
  | 'MALFORMED_ROW'
  | 'EMPTY_TASK'
  | 'INVALID_TASK_SPEC'
  | 'INVALID_OPTION'
  | 'CONTINUATION_EMPTY'
  | 'CONTINUATION_TOO_LONG'
  | 'MODEL_OUTPUT_INVALID'
  | 'VOCAB_MISMATCH';

export interface EvalErrorDetails {
  file?: string;
  line?: number;
  field?: string;
  limit?: number | string;
  cause?: unknown;
}

export class EvalError extends LayerpruneError<EvalErrorCode> {
  constructor(code: EvalErrorCode, message: string, details: EvalErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isEvalError(value: unknown): value is EvalError {
  return value instanceof EvalError;
}

// Task files are read through @layerprune/data's bounded reader; its errors keep
// their code and message, re-raised as EvalErrors so this package has one error class.
const SHARED_CODES: readonly EvalErrorCode[] = [
  'FILE_NOT_FOUND',
  'NOT_A_REGULAR_FILE',
  'READ_FAILED',
  'DECOMPRESS_FAILED',
  'DECOMPRESSED_TOO_LARGE',
  'DOCUMENT_TOO_LARGE',
  'INVALID_UTF8',
  // Parquet task files (@layerprune/data readDocuments, readParquetRows): a damaged file, a column missing, a text column not strings.
  'MALFORMED_PARQUET',
  'MISSING_FIELD',
  'FIELD_NOT_STRING',
];

/** A DataError as the equivalent EvalError (INVALID_ARGUMENT becomes INVALID_OPTION, EMPTY_INPUT EMPTY_TASK); anything else unchanged. */
export function fromDataError(error: unknown): unknown {
  if (!isDataError(error)) return error;
  const code: EvalErrorCode = (SHARED_CODES as readonly string[]).includes(error.code)
    ? (error.code as EvalErrorCode)
    : error.code === 'INVALID_ARGUMENT'
      ? 'INVALID_OPTION'
      : error.code === 'EMPTY_INPUT'
        ? 'EMPTY_TASK'
        : 'READ_FAILED';
  return new EvalError(code, error.message, { file: error.file, line: error.line, field: error.field, limit: error.limit, cause: error });
}
