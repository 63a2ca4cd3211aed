// Every failure of this package is a SimilarityError with a stable `code` and a
// message naming the layer, sample, token and limit involved. A similarity metric
// never returns NaN: undefined cases (zero vectors, non-finite states) throw.

export type SimilarityErrorCode =
  | 'ZERO_VECTOR'
  | 'NON_FINITE'
  | 'LENGTH_MISMATCH'
  | 'EMPTY_VECTOR'
  | 'UNKNOWN_METRIC'
  | 'MISSING_STATES'
  | 'STATE_COUNT_MISMATCH'
  | 'STATE_SHAPE_MISMATCH'
  | 'INVALID_LENGTHS'
  | 'BLOCK_SIZE_OUT_OF_RANGE'
  | 'NO_SAMPLES'
  | 'INVALID_TABLE';

export interface SimilarityErrorDetails {
  layer?: number;
  sample?: number;
  token?: number;
  limit?: number | string;
}

export class SimilarityError extends Error {
  readonly code: SimilarityErrorCode;
  readonly layer?: number;
  readonly sample?: number;
  readonly token?: number;
  readonly limit?: number | string;

  constructor(code: SimilarityErrorCode, message: string, details: SimilarityErrorDetails = {}) {
    super(message);
    this.name = 'SimilarityError';
    this.code = code;
    this.layer = details.layer;
    this.sample = details.sample;
    this.token = details.token;
    this.limit = details.limit;
  }
}

export function isSimilarityError(value: unknown): value is SimilarityError {
  return value instanceof SimilarityError;
}
