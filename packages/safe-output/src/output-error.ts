// Every refusal of this package is an OutputError with a stable `code` and a
// message naming the path involved, so the CLI prints one line and exits non-zero.
import { LayerpruneError } from './layerprune-error.js';

export type OutputErrorCode =
  | 'OUTPUT_IS_INPUT'
  | 'OUTPUT_INSIDE_INPUT'
  | 'INPUT_INSIDE_OUTPUT'
  | 'OUTPUT_PROTECTED'
  | 'OUTPUT_EXISTS'
  | 'OUTPUT_NOT_OURS'
  | 'OUTPUT_NOT_DIRECTORY'
  | 'OUTPUT_LOCKED'
  | 'OUTPUT_WRITE_FAILED';

export interface OutputErrorDetails {
  file?: string;
  field?: string;
  cause?: unknown;
}

export class OutputError extends LayerpruneError<OutputErrorCode> {
  constructor(code: OutputErrorCode, message: string, details: OutputErrorDetails = {}) {
    super(code, message, details);
  }
}
