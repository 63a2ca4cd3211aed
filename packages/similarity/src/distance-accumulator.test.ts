import { describe, expect, it } from 'vitest';
import { DistanceAccumulator } from './distance-accumulator.js';
import { SimilarityError } from './similarity-error.js';
import { SIMILARITY_METRIC_NAMES, SIMILARITY_METRICS, type SimilarityMetric } from './similarity-metrics.js';
import { packBatch, referenceAngular, referenceCosine, referenceMagnitude, syntheticStates } from './testing/reference.js';

const L = 6;
const H = 24;
const lengths = [5, 1, 9, 3, 7, 7, 2, 4, 8, 6, 1, 5];
const states = syntheticStates({ seed: 42, layers: L, hidden: H, lengths });

function referencePerSample(metric: SimilarityMetric, sample: Float32Array[][], i: number, j: number): number {
  const info = SIMILARITY_METRICS[metric];
  const tokens = info.positions === 'last' ? [sample[0].length - 1] : sample[0].map((_, t) => t);
  const perToken = tokens.map((t) => {
    const a = sample[i][t];
    const b = sample[j][t];
    if (info.kernel === 'angular') return referenceAngular(a, b);
    if (info.kernel === 'cosine-distance') return 1 - referenceCosine(a, b);
    return referenceMagnitude(a, b);
  });
  return perToken.reduce((s, v) => s + v, 0) / perToken.length;
}

/** Mean and standard error of the mean, written the textbook way (two passes). */
function meanAndError(values: number[]): { mean: number; se: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

function accumulate(metric: SimilarityMetric, batchSizes: number[], mode: 'last' | 'all'): DistanceAccumulator {
  const acc = new DistanceAccumulator({ numLayers: L, metric });
  let at = 0;
  for (const size of batchSizes) {
    acc.add(packBatch(states.slice(at, at + size), mode));
    at += size;
  }
  expect(at).toBe(states.length);
  return acc;
}

describe('DistanceAccumulator', () => {
  for (const metric of SIMILARITY_METRIC_NAMES) {
    it(`${metric}: batches reproduce the direct float64 computation over all samples (mean and SE within 1e-6)`, () => {
      const mode = SIMILARITY_METRICS[metric].positions;
      const table = accumulate(metric, [4, 1, 7], mode).result();
      expect(table.samples).toBe(lengths.length);
      expect(table.tokens).toBe(lengths.reduce((s, v) => s + v, 0));
      for (let n = 1; n < L; n++) {
        expect(table.row(n).values).toHaveLength(L - n + 1);
        for (let l = 0; l <= L - n; l++) {
          const { mean, se } = meanAndError(states.map((s) => referencePerSample(metric, s, l, l + n)));
          expect(Math.abs(table.value(n, l) - mean)).toBeLessThan(1e-6);
          expect(Math.abs((table.standardError(n, l) ?? Number.NaN) - se)).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('gives the same table whatever the batch split (one batch, many, single samples)', () => {
    const whole = accumulate('bi', [12], 'all').result();
    const split = accumulate('bi', [1, 1, 2, 3, 5], 'all').result();
    for (let n = 1; n < L; n++) {
      const a = whole.row(n).values;
      split.row(n).values.forEach((v, l) => expect(Math.abs(v - a[l])).toBeLessThan(1e-12));
    }
  });

  it("last-token metrics read the last real token of 'all' states as they read 'last' states", () => {
    const fromLast = accumulate('angular', [5, 7], 'last').result();
    const fromAll = accumulate('angular', [5, 7], 'all').result();
    expect(fromAll.toJSON()).toEqual(fromLast.toJSON());
  });

  it('keeps distances in the documented range and the final block nearly maximal', () => {
    const table = accumulate('angular', [12], 'last').result();
    for (const row of table.rows()) for (const v of row.values) expect(v >= 0 && v <= 1).toBe(true);
    // The synthetic last block makes a large update, as real models do.
    const last = table.row(1).values;
    expect(last[L - 1]).toBe(Math.max(...last));
  });

  it('rejects inconsistent shapes with typed errors before changing anything', () => {
    const acc = new DistanceAccumulator({ numLayers: L, metric: 'bi' });
    const batch = packBatch(states.slice(0, 3), 'all');
    const expectCode = (fn: () => void, code: string): void => {
      expect(fn).toThrow(SimilarityError);
      try {
        fn();
      } catch (error) {
        expect((error as SimilarityError).code).toBe(code);
      }
    };
    expectCode(() => acc.add({ ...batch, hidden: undefined }), 'MISSING_STATES');
    expectCode(() => acc.add({ ...batch, hidden: batch.hidden.slice(1) }), 'STATE_COUNT_MISMATCH');
    expectCode(() => acc.add(packBatch(states.slice(0, 3), 'last')), 'STATE_SHAPE_MISMATCH');
    expectCode(() => acc.add({ ...batch, lengths: [1, 2] }), 'INVALID_LENGTHS');
    expectCode(() => acc.add({ ...batch, lengths: [1, 2, 99] }), 'INVALID_LENGTHS');
    expectCode(() => new DistanceAccumulator({ numLayers: 1 }), 'BLOCK_SIZE_OUT_OF_RANGE');
    expectCode(() => new DistanceAccumulator({ numLayers: 4, metric: 'euclid' as SimilarityMetric }), 'UNKNOWN_METRIC');
    expectCode(() => acc.result(), 'NO_SAMPLES');
  });

  it('throws ZERO_VECTOR naming layer, sample and token, and leaves earlier batches intact', () => {
    const acc = new DistanceAccumulator({ numLayers: L });
    acc.add(packBatch(states.slice(0, 4), 'last'));
    const before = acc.result().toJSON();
    const bad = packBatch(states.slice(4, 8), 'last');
    bad.hidden[3].fill(0, 2 * H, 3 * H);
    expect(() => acc.add(bad)).toThrow(/x\(3\) of batch sample 2, token \d+ is the zero vector/);
    expect(acc.samples).toBe(4);
    expect(acc.result().toJSON()).toEqual(before);
  });

  it('reports a null standard error with a single sample', () => {
    const acc = new DistanceAccumulator({ numLayers: L });
    acc.add(packBatch(states.slice(0, 1), 'last'));
    expect(acc.result().standardError(1, 0)).toBeNull();
  });
});
