// Every failure of this package is a SurgeryError with a stable `code`, and a
// message that names the file, field, layer and limit involved, so the CLI can
// print it as one line and scripts can branch on the code.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

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

export interface SurgeryErrorDetails extends Pick<LayerpruneErrorDetails, 'file' | 'field' | 'limit' | 'cause'> {
  layer?: number;
}

export class SurgeryError extends LayerpruneError<SurgeryErrorCode> {
  readonly layer?: number;

  constructor(code: SurgeryErrorCode, message: string, details: SurgeryErrorDetails = {}) {
    super(code, message, details);
    this.layer = details.layer;
  }
}
