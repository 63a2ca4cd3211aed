// Failures of the pipeline itself; the packages it calls throw their own typed errors.

export type PipelineErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SEQ_LEN_TOO_LONG'
  | 'OUTPUT_NOT_EMPTY'
  | 'STAGE_MISMATCH'
  | 'NO_RUNS';

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly file?: string;
  readonly field?: string;

  constructor(code: PipelineErrorCode, message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
  }
}
