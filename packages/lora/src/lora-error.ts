// Every failure of this package is a LoraError with a stable `code`, and a
// message that names the file, module, field and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

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
  | 'ENGINE_UNSUPPORTED'
  | 'ENGINE_UNAVAILABLE'
  | 'WRITE_FAILED';

export interface LoraErrorDetails extends Pick<LayerpruneErrorDetails, 'file' | 'field' | 'limit' | 'cause'> {
  module?: string;
  step?: number;
}

export class LoraError extends LayerpruneError<LoraErrorCode> {
  readonly module?: string;
  readonly step?: number;

  constructor(code: LoraErrorCode, message: string, details: LoraErrorDetails = {}) {
    super(code, message, details);
    this.module = details.module;
    this.step = details.step;
  }
}

export function isLoraError(value: unknown): value is LoraError {
  return value instanceof LoraError;
}
