import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32, referenceAngular, referenceCosine, referenceMagnitude } from './testing/reference.js';
import { SimilarityError } from './similarity-error.js';
import { angularDistance, angularDistanceFromCosine, cosineSimilarity, relativeMagnitude } from './vector-metrics.js';

function randomVector(random: () => number, length: number): Float32Array {
  return Float32Array.from({ length }, () => gaussian(random));
}

describe('vector metrics', () => {
  it('match an independent float64 computation within 1e-6 on random float32 vectors', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const length = 1 + Math.floor(random() * 300);
      const a = randomVector(random, length);
      // Mix of unrelated and nearly parallel pairs, where arccos is least well conditioned.
      const b = trial % 2 === 0 ? randomVector(random, length) : Float32Array.from(a, (v) => v + 1e-3 * gaussian(random));
      expect(Math.abs(cosineSimilarity(a, b) - referenceCosine(a, b))).toBeLessThan(1e-6);
      expect(Math.abs(angularDistance(a, b) - referenceAngular(a, b))).toBeLessThan(1e-6);
      expect(Math.abs(relativeMagnitude(a, b) - referenceMagnitude(a, b))).toBeLessThan(1e-6);
    }
  });

  it('give exactly 0 for parallel and 1 for opposite vectors, never NaN', () => {
    const random = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const a = randomVector(random, 1 + Math.floor(random() * 4096));
      const scale = 0.1 + random() * 10;
      const same = Float32Array.from(a, (v) => v * scale);
      const opposite = Float32Array.from(a, (v) => -v * scale);
      const d0 = angularDistance(a, same);
      const d1 = angularDistance(a, opposite);
      // Rounding may leave the cosine a few ulps inside 1; the distance stays a tiny non-negative number.
      expect(d0).toBeGreaterThanOrEqual(0);
      expect(d0).toBeLessThan(1e-6);
      expect(d1).toBeLessThanOrEqual(1);
      expect(d1).toBeGreaterThan(1 - 1e-6);
      expect(angularDistance(a, a)).toBe(0);
      expect(angularDistance(a, Float32Array.from(a, (v) => -v))).toBe(1);
    }
    expect(angularDistanceFromCosine(1 + 1e-15)).toBe(0);
    expect(angularDistanceFromCosine(-1 - 1e-15)).toBe(1);
    expect(angularDistanceFromCosine(0)).toBeCloseTo(0.5, 15);
  });

  it('do not overflow or underflow for extreme float32 magnitudes', () => {
    const big = Float32Array.from([3e38, -3e38, 1e38]);
    const tiny = Float32Array.from([1e-44, 2e-44, -1e-44]);
    expect(cosineSimilarity(big, big)).toBe(1);
    expect(cosineSimilarity(tiny, tiny)).toBeCloseTo(1, 12);
    expect(angularDistance(big, Float32Array.from(big, (v) => -v))).toBe(1);
  });

  it('throw typed errors for zero, empty, mismatched and non-finite vectors', () => {
    const zero = new Float32Array(4);
    const one = Float32Array.from([1, 2, 3, 4]);
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(SimilarityError);
        return (error as SimilarityError).code;
      }
      return 'none';
    };
    expect(codeOf(() => cosineSimilarity(zero, one))).toBe('ZERO_VECTOR');
    expect(codeOf(() => angularDistance(one, zero))).toBe('ZERO_VECTOR');
    expect(codeOf(() => relativeMagnitude(one, zero))).toBe('ZERO_VECTOR');
    expect(codeOf(() => cosineSimilarity([], []))).toBe('EMPTY_VECTOR');
    expect(codeOf(() => cosineSimilarity(one, [1, 2]))).toBe('LENGTH_MISMATCH');
    expect(codeOf(() => cosineSimilarity(one, [1, Number.NaN, 0, 0]))).toBe('NON_FINITE');
    expect(codeOf(() => angularDistanceFromCosine(Number.NaN))).toBe('NON_FINITE');
    // A zero input is fine for the relative magnitude: the whole output is the update.
    expect(relativeMagnitude(zero, one)).toBe(1);
  });
});
