// Streams captured residual-stream states batch by batch and keeps, for every pair
// (x(l), x(l+n)), float64 running sums of the per-sample distance and of its square:
// enough for the mean and its standard error, with memory independent of the number
// of samples. One forward pass per batch fills the whole table.
import { checkBlockSize } from './block-range.js';
import { DistanceTable } from './distance-table.js';
import { SimilarityError } from './similarity-error.js';
import { normProduct } from './vector-metrics.js';
import { similarityMetricInfo, type PairKernel, type SimilarityMetric, type TokenPositions } from './similarity-metrics.js';

/**
 * The states of one batch, shaped like the model's ForwardResult: `hidden` holds
 * L+1 arrays x(0..L), each [batch, hiddenSize] (captured at each sequence's last
 * token) or [batch, maxLength, hiddenSize] (every position, right-padded).
 */
export interface CapturedStates {
  readonly batch: number;
  readonly hiddenSize: number;
  readonly maxLength: number;
  readonly lengths: readonly number[];
  readonly hidden?: readonly ArrayLike<number>[];
}

export interface DistanceAccumulatorOptions {
  /** Number of transformer blocks L; `hidden` must then hold L+1 states. */
  numLayers: number;
  /** Default 'angular' (the paper's metric). */
  metric?: SimilarityMetric;
}

export class DistanceAccumulator {
  readonly metric: SimilarityMetric;
  readonly numLayers: number;
  /** The `hidden` capture mode to ask the model for: 'last' suffices unless the metric averages over tokens. */
  readonly positions: TokenPositions;
  readonly #kernel: PairKernel;
  // Flat [(L+1) x (L+1)] arrays indexed by i * (L+1) + j for the pair (x(i), x(j)), j > i.
  readonly #shift: Float64Array;
  readonly #sum: Float64Array;
  readonly #sumSquares: Float64Array;
  readonly #perSample: Float64Array;
  readonly #squaredNorms: Float64Array;
  #samples = 0;
  #tokens = 0;

  constructor(options: DistanceAccumulatorOptions) {
    const info = similarityMetricInfo(options.metric ?? 'angular');
    checkBlockSize(options.numLayers, 1);
    this.metric = info.name;
    this.positions = info.positions;
    this.#kernel = info.kernel;
    this.numLayers = options.numLayers;
    const size = (options.numLayers + 1) ** 2;
    // Sums are kept relative to the first value seen per cell (shifted data): the
    // variance then comes from small numbers and does not cancel catastrophically.
    this.#shift = new Float64Array(size).fill(Number.NaN);
    this.#sum = new Float64Array(size);
    this.#sumSquares = new Float64Array(size);
    this.#perSample = new Float64Array(size);
    this.#squaredNorms = new Float64Array(options.numLayers + 1);
  }

  /** Sequences seen so far. */
  get samples(): number {
    return this.#samples;
  }

  /** Real (unpadded) tokens seen so far. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Adds one batch of captured states. Throws before changing anything if the shapes are inconsistent. */
  add(states: CapturedStates): void {
    const { perToken } = this.#checkShapes(states);
    const hidden = states.hidden as readonly ArrayLike<number>[];
    // A zero or non-finite state is only found mid-batch: keep a copy of the sums
    // (a few KiB) so that a failed batch leaves the accumulator as it was.
    const backup = [this.#shift.slice(), this.#sum.slice(), this.#sumSquares.slice()];
    const before = { samples: this.#samples, tokens: this.#tokens };
    try {
      this.#addBatch(states, hidden, perToken);
    } catch (error) {
      this.#shift.set(backup[0]);
      this.#sum.set(backup[1]);
      this.#sumSquares.set(backup[2]);
      this.#samples = before.samples;
      this.#tokens = before.tokens;
      throw error;
    }
  }

  #addBatch(states: CapturedStates, hidden: readonly ArrayLike<number>[], perToken: boolean): void {
    const L = this.numLayers;
    const H = states.hiddenSize;
    for (let b = 0; b < states.batch; b++) {
      const length = states.lengths[b];
      const first = this.positions === 'all' ? 0 : length - 1;
      this.#perSample.fill(0);
      for (let t = first; t < length; t++) {
        const offset = perToken ? (b * states.maxLength + t) * H : b * H;
        this.#addToken(hidden, offset, H, b, t);
      }
      const count = length - first;
      for (let i = 0; i < L; i++) {
        for (let j = i + 1; j <= L && j - i <= L - 1; j++) {
          const p = i * (L + 1) + j;
          const value = this.#perSample[p] / count;
          if (Number.isNaN(this.#shift[p])) this.#shift[p] = value;
          const centered = value - this.#shift[p];
          this.#sum[p] += centered;
          this.#sumSquares[p] += centered * centered;
        }
      }
      this.#samples += 1;
      this.#tokens += length;
    }
  }

  /** The table of means and standard errors over every sample added so far. */
  result(): DistanceTable {
    if (this.#samples === 0) throw new SimilarityError('NO_SAMPLES', 'no samples were added to the accumulator');
    const L = this.numLayers;
    const c = this.#samples;
    const values: number[][] = [];
    const errors: (number | null)[][] = [];
    for (let n = 1; n < L; n++) {
      const rowValues: number[] = [];
      const rowErrors: (number | null)[] = [];
      for (let l = 0; l + n <= L; l++) {
        const p = l * (L + 1) + l + n;
        const s = this.#sum[p];
        rowValues.push(this.#shift[p] + s / c);
        if (c < 2) rowErrors.push(null);
        else {
          const variance = Math.max(0, (this.#sumSquares[p] - (s * s) / c) / (c - 1));
          rowErrors.push(Math.sqrt(variance / c));
        }
      }
      values.push(rowValues);
      errors.push(rowErrors);
    }
    return new DistanceTable({ metric: this.metric, numLayers: L, samples: c, tokens: this.#tokens, values, standardErrors: errors });
  }

  // Adds the kernel value of every pair at one token to #perSample.
  #addToken(hidden: readonly ArrayLike<number>[], offset: number, H: number, sample: number, token: number): void {
    const L = this.numLayers;
    const norms = this.#squaredNorms;
    for (let l = 0; l <= L; l++) {
      const x = hidden[l];
      let s = 0;
      for (let k = offset; k < offset + H; k++) s += x[k] * x[k];
      if (!Number.isFinite(s)) {
        throw new SimilarityError('NON_FINITE', `hidden state x(${l}) of batch sample ${sample}, token ${token} contains NaN or Infinity`, {
          layer: l, sample, token,
        });
      }
      if (s === 0) {
        throw new SimilarityError('ZERO_VECTOR', `hidden state x(${l}) of batch sample ${sample}, token ${token} is the zero vector: the distance is undefined`, {
          layer: l, sample, token,
        });
      }
      norms[l] = s;
    }
    for (let i = 0; i < L; i++) {
      const a = hidden[i];
      for (let j = i + 1; j <= L && j - i <= L - 1; j++) {
        const c = hidden[j];
        let value: number;
        if (this.#kernel === 'relative-magnitude') {
          let diff = 0;
          for (let k = offset; k < offset + H; k++) {
            const d = c[k] - a[k];
            diff += d * d;
          }
          value = Math.sqrt(diff) / Math.sqrt(norms[j]);
        } else {
          let dot = 0;
          for (let k = offset; k < offset + H; k++) dot += a[k] * c[k];
          let cos = dot / normProduct(norms[i], norms[j]);
          cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
          value = this.#kernel === 'angular' ? Math.acos(cos) / Math.PI : 1 - cos;
        }
        this.#perSample[i * (L + 1) + j] += value;
      }
    }
  }

  #checkShapes(states: CapturedStates): { perToken: boolean } {
    const L = this.numLayers;
    const { batch, hiddenSize: H, maxLength, lengths, hidden } = states;
    if (!hidden) {
      throw new SimilarityError('MISSING_STATES', `no hidden states captured: run the forward pass with hidden: '${this.positions}'`);
    }
    if (hidden.length !== L + 1) {
      throw new SimilarityError('STATE_COUNT_MISMATCH', `expected L+1 = ${L + 1} hidden states x(0..${L}), got ${hidden.length}`, {
        limit: L + 1,
      });
    }
    if (!Number.isInteger(batch) || batch < 0 || !Number.isInteger(H) || H < 1 || !Number.isInteger(maxLength) || maxLength < 1) {
      throw new SimilarityError('STATE_SHAPE_MISMATCH', `invalid batch shape: batch ${batch}, maxLength ${maxLength}, hiddenSize ${H}`);
    }
    if (lengths.length !== batch) {
      throw new SimilarityError('INVALID_LENGTHS', `lengths has ${lengths.length} entries for a batch of ${batch}`, { limit: batch });
    }
    lengths.forEach((len, b) => {
      if (!Number.isInteger(len) || len < 1 || len > maxLength) {
        throw new SimilarityError('INVALID_LENGTHS', `sample ${b} has length ${len}; expected an integer in [1, ${maxLength}]`, {
          sample: b,
          limit: maxLength,
        });
      }
    });
    const allSize = batch * maxLength * H;
    const lastSize = batch * H;
    let perToken = false;
    for (let l = 0; l <= L; l++) {
      const size = hidden[l].length;
      if (size === allSize) perToken = true;
      else if (size !== lastSize || this.positions === 'all') {
        const expected = this.positions === 'all' ? `${allSize} = [${batch}, ${maxLength}, ${H}] (capture hidden: 'all')` : `${lastSize} = [${batch}, ${H}] or ${allSize} = [${batch}, ${maxLength}, ${H}]`;
        throw new SimilarityError('STATE_SHAPE_MISMATCH', `hidden state x(${l}) has ${size} values; metric ${this.metric} expects ${expected}`, {
          layer: l,
          limit: expected,
        });
      }
      if (l > 0 && hidden[l].length !== hidden[0].length) {
        throw new SimilarityError('STATE_SHAPE_MISMATCH', `hidden states x(0) and x(${l}) have different sizes`, { layer: l });
      }
    }
    return { perToken };
  }
}
