// Every failure of this package is a DataError with a stable `code` and a message
// that names the file and, where there is one, the line.

export type DataErrorCode =
  | 'FILE_NOT_FOUND'
  | 'NOT_A_REGULAR_FILE'
  | 'READ_FAILED'
  | 'DECOMPRESS_FAILED'
  | 'DECOMPRESSED_TOO_LARGE'
  | 'INVALID_UTF8'
  | 'EMPTY_INPUT'
  | 'MALFORMED_JSON'
  | 'MISSING_FIELD'
  | 'FIELD_NOT_STRING'
  | 'DOCUMENT_TOO_LARGE'
  | 'UNKNOWN_FORMAT'
  | 'INVALID_ARGUMENT';

export interface DataErrorDetails {
  file?: string;
  /** 1-based line number in the (decompressed) file. */
  line?: number;
  field?: string;
  limit?: number | string;
  cause?: unknown;
}

export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly limit?: number | string;

  constructor(code: DataErrorCode, message: string, details: DataErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DataError';
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.field = details.field;
    this.limit = details.limit;
  }
}

export function isDataError(value: unknown): value is DataError {
  return value instanceof DataError;
}

/** "file:line" or "file" for messages. */
export function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
