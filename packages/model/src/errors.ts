// Every failure of @layerprune/model is a ModelError with a stable `code` and a
// message that names the directory or file, the tensor or config field and the
// limit involved, so the CLI can print it as one line.

export type ModelErrorCode =
  | 'MODEL_DIR_INVALID'
  | 'UNSUPPORTED_ARCHITECTURE'
  | 'UNSUPPORTED_CONFIG'
  | 'CONFIG_FIELD_MISSING'
  // Weights vs config.json: the codes of @layerprune/tensor-io's validateModelWeights, kept as they are.
  | 'WEIGHTS_MISMATCH'
  | 'TENSOR_MISSING'
  | 'TENSOR_UNEXPECTED'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'SYMLINK_OUTSIDE_MODEL_DIR'
  | 'NON_FINITE_WEIGHT'
  | 'BACKEND_UNAVAILABLE'
  | 'MODEL_TOO_LARGE'
  | 'INVALID_TOKENS'
  | 'INVALID_OPTION'
  | 'LAYER_OUT_OF_RANGE'
  | 'SEQUENCE_TOO_LONG'
  | 'DISPOSED';

export interface ModelErrorDetails {
  file?: string;
  tensor?: string;
  field?: string;
  limit?: number | string;
  /** What the config or the runtime requires, and what was found. */
  expected?: number | string;
  found?: number | string;
  cause?: unknown;
}

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly file?: string;
  readonly tensor?: string;
  readonly field?: string;
  readonly limit?: number | string;
  readonly expected?: number | string;
  readonly found?: number | string;

  constructor(code: ModelErrorCode, message: string, details: ModelErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ModelError';
    this.code = code;
    this.file = details.file;
    this.tensor = details.tensor;
    this.field = details.field;
    this.limit = details.limit;
    this.expected = details.expected;
    this.found = details.found;
  }
}

export function isModelError(value: unknown): value is ModelError {
  return value instanceof ModelError;
}
