// Every failure of this package is a SimilarityError with a stable `code` and a
// message naming the layer, sample, token and limit involved. A similarity metric
// never returns NaN: undefined cases (zero vectors, non-finite states) throw.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

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

export interface SimilarityErrorDetails extends Pick<LayerpruneErrorDetails, 'limit'> {
  layer?: number;
  sample?: number;
  token?: number;
}

export class SimilarityError extends LayerpruneError<SimilarityErrorCode> {
  readonly layer?: number;
  readonly sample?: number;
  readonly token?: number;

  constructor(code: SimilarityErrorCode, message: string, details: SimilarityErrorDetails = {}) {
    super(code, message, { limit: details.limit });
    this.layer = details.layer;
    this.sample = details.sample;
    this.token = details.token;
  }
}

export function isSimilarityError(value: unknown): value is SimilarityError {
  return value instanceof SimilarityError;
}
