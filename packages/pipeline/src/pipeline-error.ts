// Failures of the pipeline itself; the packages it calls throw their own typed errors.
import { LayerpruneError } from '@layerprune/safe-output';

export type PipelineErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SEQ_LEN_TOO_LONG'
  | 'OUTPUT_NOT_EMPTY'
  | 'STAGE_MISMATCH'
  | 'NO_RUNS'
  /** The engine asked for (onnx) cannot be loaded: its package is not installed or fails to import. */
  | 'ENGINE_UNAVAILABLE';

export class PipelineError extends LayerpruneError<PipelineErrorCode> {
  constructor(code: PipelineErrorCode, message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    super(code, message, details);
  }
}
