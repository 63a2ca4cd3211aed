// Every failure of this package is a DataError with a stable `code` and a message
// that names the file and, where there is one, the line.
import { LayerpruneError } from '@layerprune/safe-output';

export type DataErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_REGULAR_FILE'
  | 'READ_FAILED'
  | 'DECOMPRESS_FAILED'
  | 'DECOMPRESSED_TOO_LARGE'
  | 'INVALID_UTF8'
  | 'EMPTY_INPUT'
  | 'MALFORMED_JSON'
  | 'MALFORMED_PARQUET'
  | 'MISSING_FIELD'
  | 'FIELD_NOT_STRING'
  | 'DOCUMENT_TOO_LARGE'
  | 'UNKNOWN_FORMAT'
  | 'INVALID_ARGUMENT';

export interface DataErrorDetails {
  file?: string;
  /** 1-based line number in the (decompressed) file; for Parquet, the 1-based row. */
  line?: number;
  field?: string;
  limit?: number | string;
  cause?: unknown;
}

export class DataError extends LayerpruneError<DataErrorCode> {
  constructor(code: DataErrorCode, message: string, details: DataErrorDetails = {}) {
    super(code, message, details);
  }
}

export function isDataError(value: unknown): value is DataError {
  return value instanceof DataError;
}

/** "file:line" or "file" for messages. */
export function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
