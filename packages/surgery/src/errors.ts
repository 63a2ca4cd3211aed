// Every failure of this package is a SurgeryError with a stable `code`, and a
// message that names the file, field, layer and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.

export type SurgeryErrorCode =
  | 'PLAN_INVALID'
  | 'PLAN_SYNTAX'
  | 'PLAN_EMPTY_RANGE'
  | 'PLAN_OUT_OF_BOUNDS'
  | 'PLAN_OVERLAP'
  | 'PLAN_DUPLICATE_LAYER'
  | 'PLAN_REMOVES_ALL'
  | 'PLAN_REMOVES_NOTHING'
  | 'FINAL_BLOCK_REQUIRES_FLAG'
  | 'ANALYSIS_INVALID'
  | 'ANALYSIS_N_NOT_FOUND'
  | 'ANALYSIS_MISMATCH'
  | 'CONFIG_INVALID'
  | 'MODEL_INVALID'
  | 'OUTPUT_IS_INPUT'
  | 'OUTPUT_INSIDE_INPUT'
  | 'INPUT_INSIDE_OUTPUT'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_NOT_DIRECTORY'
  | 'WRITE_FAILED';

export interface SurgeryErrorDetails {
  file?: string;
  field?: string;
  layer?: number;
  limit?: number | string;
  cause?: unknown;
}

export class SurgeryError extends Error {
  readonly code: SurgeryErrorCode;
  readonly file?: string;
  readonly field?: string;
  readonly layer?: number;
  readonly limit?: number | string;

  constructor(code: SurgeryErrorCode, message: string, details: SurgeryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SurgeryError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
    this.layer = details.layer;
    this.limit = details.limit;
  }
}
