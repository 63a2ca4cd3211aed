import { describe, expect, it } from 'vitest';
import { simpleRulePlan } from './block-range.js';
import { DistanceTable } from './distance-table.js';
import { SimilarityError } from './similarity-error.js';

// A hand-made table for L = 4: rows n = 1..3 with 4, 3, 2 values.
const values = [
  [0.3, 0.1, 0.2, 0.9],
  [0.35, 0.25, 0.95],
  [0.5, 0.97],
];
const errors = [
  [0.01, 0.02, 0.03, 0.04],
  [0.01, 0.01, 0.01],
  [null, 0.02],
];
const table = new DistanceTable({ metric: 'angular', numLayers: 4, samples: 10, tokens: 123, values, standardErrors: errors });

describe('DistanceTable', () => {
  it('picks argmin_l as the optimal block, as a half-open range', () => {
    expect(table.optimalBlock(1)).toEqual({ n: 1, start: 1, end: 2, distance: 0.1, standardError: 0.02 });
    expect(table.optimalBlock(2)).toEqual({ n: 2, start: 1, end: 3, distance: 0.25, standardError: 0.01 });
    expect(table.optimalBlock(3)).toEqual({ n: 3, start: 0, end: 3, distance: 0.5, standardError: null });
    expect(table.recommendations().map((c) => c.start)).toEqual([1, 1, 0]);
  });

  it('ranks every block of size n by distance', () => {
    expect(table.rankedBlocks(1).map((c) => c.start)).toEqual([1, 2, 0, 3]);
    expect(table.rankedBlocks(2).map((c) => [c.start, c.end])).toEqual([[1, 3], [0, 2], [2, 4]]);
  });

  it('breaks ties towards the shallower block', () => {
    const tied = new DistanceTable({
      metric: 'cosine',
      numLayers: 3,
      samples: 1,
      tokens: 1,
      values: [[0.2, 0.1, 0.1], [0.3, 0.3]],
      standardErrors: [[null, null, null], [null, null]],
    });
    expect(tied.optimalBlock(1).start).toBe(1);
    expect(tied.rankedBlocks(1).map((c) => c.start)).toEqual([1, 2, 0]);
    expect(tied.optimalBlock(2).start).toBe(0);
  });

  it('round-trips through JSON', () => {
    const json = JSON.parse(JSON.stringify(table)) as ReturnType<DistanceTable['toJSON']>;
    expect(json).toMatchObject({ format: 'layerprune.distance-table', metric: 'angular', positions: 'last', numLayers: 4, samples: 10, tokens: 123 });
    expect(json.rows[2]).toEqual({ n: 3, values: [0.5, 0.97], standardErrors: [null, 0.02] });
    expect(DistanceTable.fromJSON(json).toJSON()).toEqual(table.toJSON());
  });

  it('validates its shape and indices', () => {
    expect(() => new DistanceTable({ metric: 'angular', numLayers: 4, samples: 1, tokens: 1, values: values.slice(1), standardErrors: errors.slice(1) })).toThrow(SimilarityError);
    expect(() => new DistanceTable({ metric: 'angular', numLayers: 4, samples: 1, tokens: 1, values: [[0, 0, 0], ...values.slice(1)], standardErrors: errors })).toThrow(/row n=1 needs 4 values/);
    expect(() => new DistanceTable({ metric: 'angular', numLayers: 2, samples: 1, tokens: 1, values: [[Number.NaN, 0]], standardErrors: [[0, 0]] })).toThrow(/non-finite/);
    expect(() => table.value(4, 0)).toThrow(/n=4 is out of range/);
    expect(() => table.value(2, 3)).toThrow(/l=3 is out of range for n=2/);
    expect(() => DistanceTable.fromJSON({} as never)).toThrow(SimilarityError);
  });
});

describe('simpleRulePlan', () => {
  it('drops the deepest n blocks but keeps the final one: [L-n-1, L-1)', () => {
    expect(simpleRulePlan(32, 1)).toEqual({ start: 30, end: 31 });
    expect(simpleRulePlan(32, 8)).toEqual({ start: 23, end: 31 });
    expect(simpleRulePlan(5, 4)).toEqual({ start: 0, end: 4 });
    expect(() => simpleRulePlan(5, 5)).toThrow(/n=5 is out of range for 5 layers/);
    expect(() => simpleRulePlan(5, 0)).toThrow(SimilarityError);
  });
});
