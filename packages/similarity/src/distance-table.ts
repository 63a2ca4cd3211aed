// The result of an analysis: mean distance d[n][l] between x(l) and x(l+n) for
// every block size n = 1..L-1 and first layer l = 0..L-n, with its standard error
// over samples. Immutable; serialises to plain JSON and back.
import { checkBlockSize, type BlockRange } from './block-range.js';
import { SimilarityError } from './similarity-error.js';
import { similarityMetricInfo, type SimilarityMetric, type TokenPositions } from './similarity-metrics.js';

/** A candidate block to drop: layers [start, end) with end - start = n. */
export interface BlockChoice extends BlockRange {
  readonly n: number;
  readonly distance: number;
  /** Standard error of `distance` over samples; null with fewer than 2 samples. */
  readonly standardError: number | null;
}

export interface DistanceTableRow {
  n: number;
  /** values[l] = mean d(x(l), x(l+n)), l = 0..L-n. */
  values: number[];
  standardErrors: (number | null)[];
}

export interface DistanceTableJSON {
  format: 'layerprune.distance-table';
  version: 1;
  metric: SimilarityMetric;
  positions: TokenPositions;
  numLayers: number;
  samples: number;
  tokens: number;
  rows: DistanceTableRow[];
}

export interface DistanceTableInit {
  metric: SimilarityMetric;
  numLayers: number;
  samples: number;
  tokens: number;
  /** values[n-1][l]. */
  values: ArrayLike<number>[];
  /** standardErrors[n-1][l]; NaN or null where undefined. */
  standardErrors: ArrayLike<number | null>[];
}

export class DistanceTable {
  readonly metric: SimilarityMetric;
  readonly positions: TokenPositions;
  readonly numLayers: number;
  readonly samples: number;
  readonly tokens: number;
  readonly #values: Float64Array[];
  readonly #errors: Float64Array[];

  constructor(init: DistanceTableInit) {
    this.metric = similarityMetricInfo(init.metric).name;
    this.positions = similarityMetricInfo(init.metric).positions;
    checkBlockSize(init.numLayers, 1);
    const L = init.numLayers;
    if (init.values.length !== L - 1 || init.standardErrors.length !== L - 1) {
      throw new SimilarityError('INVALID_TABLE', `a table for ${L} layers needs ${L - 1} rows, got ${init.values.length}`, {
        limit: L - 1,
      });
    }
    this.numLayers = L;
    this.samples = init.samples;
    this.tokens = init.tokens;
    this.#values = [];
    this.#errors = [];
    for (let n = 1; n < L; n++) {
      const values = init.values[n - 1];
      const errors = init.standardErrors[n - 1];
      if (values.length !== L - n + 1 || errors.length !== L - n + 1) {
        throw new SimilarityError('INVALID_TABLE', `row n=${n} needs ${L - n + 1} values (l = 0..${L - n}), got ${values.length}`, {
          limit: L - n + 1,
        });
      }
      const row = Float64Array.from(values);
      if (row.some((v) => !Number.isFinite(v))) {
        throw new SimilarityError('INVALID_TABLE', `row n=${n} contains a non-finite distance`);
      }
      this.#values.push(row);
      this.#errors.push(Float64Array.from(errors, (e) => (e === null ? Number.NaN : e)));
    }
  }

  /** Mean distance between x(l) and x(l+n). */
  value(n: number, l: number): number {
    return this.#values[this.#rowIndex(n, l)][l];
  }

  /** Standard error of value(n, l); null with fewer than 2 samples. */
  standardError(n: number, l: number): number | null {
    const e = this.#errors[this.#rowIndex(n, l)][l];
    return Number.isNaN(e) ? null : e;
  }

  row(n: number): DistanceTableRow {
    checkBlockSize(this.numLayers, n);
    return {
      n,
      values: Array.from(this.#values[n - 1]),
      standardErrors: Array.from(this.#errors[n - 1], (e) => (Number.isNaN(e) ? null : e)),
    };
  }

  rows(): DistanceTableRow[] {
    return Array.from({ length: this.numLayers - 1 }, (_, i) => this.row(i + 1));
  }

  /** Every block of size n, most similar (smallest distance) first; ties go to the shallower block. */
  rankedBlocks(n: number): BlockChoice[] {
    checkBlockSize(this.numLayers, n);
    const choices = Array.from(this.#values[n - 1], (_, l) => this.#choice(n, l));
    return choices.sort((a, b) => a.distance - b.distance || a.start - b.start);
  }

  /** The paper's choice: l*(n) = argmin_l d(x(l), x(l+n)); drop [l*, l*+n). */
  optimalBlock(n: number): BlockChoice {
    checkBlockSize(this.numLayers, n);
    const row = this.#values[n - 1];
    let best = 0;
    for (let l = 1; l < row.length; l++) if (row[l] < row[best]) best = l;
    return this.#choice(n, best);
  }

  /** optimalBlock(n) for n = 1..L-1. */
  recommendations(): BlockChoice[] {
    return Array.from({ length: this.numLayers - 1 }, (_, i) => this.optimalBlock(i + 1));
  }

  toJSON(): DistanceTableJSON {
    return {
      format: 'layerprune.distance-table',
      version: 1,
      metric: this.metric,
      positions: this.positions,
      numLayers: this.numLayers,
      samples: this.samples,
      tokens: this.tokens,
      rows: this.rows(),
    };
  }

  static fromJSON(json: DistanceTableJSON): DistanceTable {
    if (json?.format !== 'layerprune.distance-table' || json.version !== 1 || !Array.isArray(json.rows)) {
      throw new SimilarityError('INVALID_TABLE', 'not a layerprune.distance-table version 1 document');
    }
    const rows = [...json.rows].sort((a, b) => a.n - b.n);
    return new DistanceTable({
      metric: json.metric,
      numLayers: json.numLayers,
      samples: json.samples,
      tokens: json.tokens,
      values: rows.map((r) => r.values),
      standardErrors: rows.map((r) => r.standardErrors),
    });
  }

  #rowIndex(n: number, l: number): number {
    checkBlockSize(this.numLayers, n);
    if (!Number.isInteger(l) || l < 0 || l > this.numLayers - n) {
      throw new SimilarityError('BLOCK_SIZE_OUT_OF_RANGE', `first layer l=${l} is out of range for n=${n}: expected 0..${this.numLayers - n}`, {
        limit: this.numLayers - n,
      });
    }
    return n - 1;
  }

  #choice(n: number, l: number): BlockChoice {
    return { n, start: l, end: l + n, distance: this.value(n, l), standardError: this.standardError(n, l) };
  }
}
