// The metrics the distance table can hold. Each is a "distance": lower means the
// block changes the residual stream less, so argmin picks the block to drop.
import { SimilarityError } from './similarity-error.js';

export type SimilarityMetric = 'angular' | 'cosine' | 'bi' | 'angular-mean' | 'magnitude';

/** Which token positions a metric reads: the last real token of each sequence, or every token. */
export type TokenPositions = 'last' | 'all';

/** What is computed per token between x(l) and x(l+n). */
export type PairKernel = 'angular' | 'cosine-distance' | 'relative-magnitude';

export interface SimilarityMetricInfo {
  readonly name: SimilarityMetric;
  readonly kernel: PairKernel;
  readonly positions: TokenPositions;
  /** Range of possible values; `null` upper bound when unbounded. */
  readonly range: readonly [number, number | null];
  readonly label: string;
  readonly description: string;
}

export const SIMILARITY_METRICS: Readonly<Record<SimilarityMetric, SimilarityMetricInfo>> = {
  angular: {
    name: 'angular',
    kernel: 'angular',
    positions: 'last',
    range: [0, 1],
    label: 'angular distance',
    description: 'arccos(cos(x_T(l), x_T(l+n))) / pi at the last token T (Gromov et al. 2024)',
  },
  cosine: {
    name: 'cosine',
    kernel: 'cosine-distance',
    positions: 'last',
    range: [0, 2],
    label: 'cosine distance',
    description: '1 - cos(x_T(l), x_T(l+n)) at the last token T',
  },
  bi: {
    name: 'bi',
    kernel: 'cosine-distance',
    positions: 'all',
    range: [0, 2],
    label: 'block influence',
    description: 'Block Influence (ShortGPT): 1 - mean over tokens t of cos(x_t(l), x_t(l+n))',
  },
  'angular-mean': {
    name: 'angular-mean',
    kernel: 'angular',
    positions: 'all',
    range: [0, 1],
    label: 'mean angular distance',
    description: 'angular distance averaged over all tokens of each sequence',
  },
  magnitude: {
    name: 'magnitude',
    kernel: 'relative-magnitude',
    positions: 'last',
    range: [0, null],
    label: 'relative magnitude',
    description: '|f(x)| / |x + f(x)| with f(x) = x_T(l+n) - x_T(l), at the last token T',
  },
};

export const SIMILARITY_METRIC_NAMES: readonly SimilarityMetric[] = Object.keys(SIMILARITY_METRICS) as SimilarityMetric[];

/** Looks up a metric by name; throws `UNKNOWN_METRIC` naming the valid ones. */
export function similarityMetricInfo(name: string): SimilarityMetricInfo {
  if (!Object.prototype.hasOwnProperty.call(SIMILARITY_METRICS, name)) {
    throw new SimilarityError(
      'UNKNOWN_METRIC',
      `unknown similarity metric "${name}"; expected one of ${SIMILARITY_METRIC_NAMES.join(', ')}`,
      { limit: SIMILARITY_METRIC_NAMES.join('|') },
    );
  }
  return SIMILARITY_METRICS[name as SimilarityMetric];
}
