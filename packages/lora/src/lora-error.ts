// Every failure of this package is a LoraError with a stable `code`, and a
// message that names the file, module, field and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.

export type LoraErrorCode =
  | 'CONFIG_INVALID'
  | 'TARGETS_INVALID'
  | 'ADAPTER_NOT_FOUND'
  | 'ADAPTER_INVALID'
  | 'ADAPTER_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'CHECKPOINT_MISMATCH'
  | 'RESUME_WITHOUT_CHECKPOINT'
  | 'OUTPUT_EXISTS'
  | 'DATA_TOO_SHORT'
  | 'TOKEN_OUT_OF_RANGE'
  | 'NON_FINITE_LOSS'
  | 'NON_FINITE_GRADIENT'
  | 'UNSUPPORTED_MODEL'
  | 'WRITE_FAILED';

export interface LoraErrorDetails {
  file?: string;
  module?: string;
  field?: string;
  step?: number;
  limit?: number | string;
  cause?: unknown;
}

export class LoraError extends Error {
  readonly code: LoraErrorCode;
  readonly file?: string;
  readonly module?: string;
  readonly field?: string;
  readonly step?: number;
  readonly limit?: number | string;

  constructor(code: LoraErrorCode, message: string, details: LoraErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LoraError';
    this.code = code;
    this.file = details.file;
    this.module = details.module;
    this.field = details.field;
    this.step = details.step;
    this.limit = details.limit;
  }
}

export function isLoraError(value: unknown): value is LoraError {
  return value instanceof LoraError;
}
