import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32, referenceAngular, referenceCosine } from './testing/reference.js';
import { SimilarityError } from './similarity-error.js';
import { blockInfluence, meanAngularDistance } from './token-metrics.js';

describe('token-averaged metrics', () => {
  const random = mulberry32(3);
  const H = 48;
  const T = 17;
  const input = Float32Array.from({ length: T * H }, () => gaussian(random));
  const output = Float32Array.from(input, (v) => v + 0.5 * gaussian(random));
  const rows = (x: Float32Array): Float32Array[] => Array.from({ length: T }, (_, t) => x.subarray(t * H, (t + 1) * H));

  it('Block Influence = 1 - mean cosine over tokens, within 1e-6 of a float64 reference', () => {
    const expected = 1 - rows(input).reduce((s, x, t) => s + referenceCosine(x, rows(output)[t]), 0) / T;
    expect(Math.abs(blockInfluence(input, output, H) - expected)).toBeLessThan(1e-6);
    expect(blockInfluence(input, input, H)).toBeCloseTo(0, 12);
  });

  it('mean angular distance averages the per-token distance', () => {
    const expected = rows(input).reduce((s, x, t) => s + referenceAngular(x, rows(output)[t]), 0) / T;
    expect(Math.abs(meanAngularDistance(input, output, H) - expected)).toBeLessThan(1e-6);
    expect(meanAngularDistance(Array.from(input), Array.from(output), H)).toBeCloseTo(expected, 9);
  });

  it('names the token of a zero state and rejects ragged shapes', () => {
    const withZero = input.slice();
    withZero.fill(0, 5 * H, 6 * H);
    expect(() => blockInfluence(withZero, output, H)).toThrow(/token 5/);
    expect(() => blockInfluence(input, output.subarray(1), H)).toThrow(SimilarityError);
    expect(() => meanAngularDistance(input, output, 0)).toThrow(SimilarityError);
  });
});
