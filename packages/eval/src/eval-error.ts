// Every failure of @layerprune/eval is an EvalError with a stable `code` and a
// message that names the file, line, field and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.

export type EvalErrorCode =
  | 'FILE_NOT_FOUND'
  | 'READ_FAILED'
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

export class EvalError extends Error {
  readonly code: EvalErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly limit?: number | string;

  constructor(code: EvalErrorCode, message: string, details: EvalErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EvalError';
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.field = details.field;
    this.limit = details.limit;
  }
}

export function isEvalError(value: unknown): value is EvalError {
  return value instanceof EvalError;
}
