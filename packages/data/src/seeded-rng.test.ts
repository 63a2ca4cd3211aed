import { describe, expect, it } from 'vitest';
import { DataError } from './data-error.js';
import { createRandom, SeededRng } from './seeded-rng.js';

// The exact streams are part of the contract: recorded results (which documents a
// seed samples, LoRA initialisation and data order of a healing run, generated text
// for a --seed) depend on them. The expected numbers below were computed by a
// separate Python transcription of mulberry32, splitmix32 and xoshiro128** (integer
// arithmetic mod 2^32), and equal the output of the four generators this module
// replaced (data createRandom, eval seededRandom, lora SeededRng, model createRng).

describe('createRandom (mulberry32)', () => {
  it('gives the recorded stream', () => {
    const take = (seed: number): number[] => {
      const random = createRandom(seed);
      return Array.from({ length: 4 }, () => random());
    };
    expect(take(0)).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111]);
    expect(take(1234)).toEqual([0.07329497812315822, 0.7034119898453355, 0.9028560190927237, 0.9705493662040681]);
    // Only the low 32 bits of the seed count.
    expect(take(2 ** 32 + 1234)).toEqual(take(1234));
  });

  it('is deterministic per seed, uniform-looking, and in [0, 1)', () => {
    const a = createRandom(123);
    const b = createRandom(123);
    const c = createRandom(124);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // sd of the mean is 0.0029
    const deciles = new Array(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)] += 1;
    for (const d of deciles) expect(Math.abs(d - 1000)).toBeLessThan(150);
    expect(() => createRandom(1.5)).toThrow(DataError);
  });
});

describe('SeededRng (xoshiro128**)', () => {
  it('gives the recorded stream and state from a 32-bit seed', () => {
    const cases: Array<[number, number[], number[]]> = [
      [0, [3809008728, 1133695204, 53579671, 2891528803], [2190444731, 2110970850, 1895269158, 2402239551]],
      [7, [1004282400, 2200021487, 1928073449, 741806228], [4004871382, 3862909744, 3624387629, 603720124]],
      [42, [2837322924, 544945897, 479756282, 3500138142], [2211311650, 1639752229, 3329302215, 2393945593]],
    ];
    for (const [seed, values, state] of cases) {
      const rng = new SeededRng(seed);
      expect(Array.from({ length: 4 }, () => rng.nextUint32()), `seed ${seed}`).toEqual(values);
      expect(rng.getState(), `seed ${seed}`).toEqual(state);
    }
  });

  it('fork and permutation give the recorded results', () => {
    const forked = new SeededRng(42).fork();
    expect(forked.getState()).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    expect(forked.nextUint32()).toBe(3562241369);
    expect(Array.from(new SeededRng(3).permutation(10))).toEqual([8, 1, 4, 0, 2, 9, 6, 3, 5, 7]);
  });

  it('continues the same stream from a saved state', () => {
    const a = new SeededRng(7);
    for (let i = 0; i < 10; i++) a.nextUint32();
    const b = new SeededRng(a.getState());
    const xs = Array.from({ length: 5 }, () => a.nextFloat());
    expect(Array.from({ length: 5 }, () => b.nextFloat())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
    expect(new SeededRng([0, 0, 0, 0]).getState()).toEqual([1, 0, 0, 0]);
  });

  it('fromSafeInteger: the recorded 53-bit stream, high seed bits count, invalid seeds refused', () => {
    const take = (seed: number): number[] => {
      const rng = SeededRng.fromSafeInteger(seed);
      return Array.from({ length: 3 }, () => rng.nextFloat53());
    };
    expect(take(0)).toEqual([0.8868539521051284, 0.7714866667520884, 0.9095270867917041]);
    expect(take(123)).toEqual([0.7326505986680464, 0.5947253715080485, 0.2784939738193397]);
    expect(take(2 ** 40)).toEqual([0.886853951117153, 0.10257732536056086, 0.7368916440210814]);
    expect(take(Number.MAX_SAFE_INTEGER)).toEqual([0.1946184166609478, 0.046168588167815994, 0.12816396165113098]);
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => SeededRng.fromSafeInteger(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'seed' }));
    }
  });

  it('floats are uniform in [0, 1); integers in [0, n); fillUniform in [low, high)', () => {
    const rng = new SeededRng(11);
    const xs = Array.from({ length: 10_000 }, () => rng.nextFloat());
    const ys = Array.from({ length: 10_000 }, () => rng.nextFloat53());
    for (const values of [xs, ys]) {
      expect(values.every((x) => x >= 0 && x < 1)).toBe(true);
      expect(Math.abs(values.reduce((s, x) => s + x, 0) / values.length - 0.5)).toBeLessThan(0.01);
    }
    const ints = Array.from({ length: 1000 }, () => rng.nextInt(7));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    const out = new Float32Array(1000);
    rng.fillUniform(out, -2, 3);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...out)).toBeLessThan(3);
  });
});

describe('SeededRng.fillDropoutMask', () => {
  it('gives the values and final state of a nextFloat() loop', () => {
    for (const [seed, p] of [[1, 0.05], [7, 0.5], [123456789, 0.3], [42, 0]] as const) {
      const fast = new SeededRng(seed);
      const slow = new SeededRng(seed);
      const values = new Float32Array(10007);
      fast.fillDropoutMask(values, p, 1 / (1 - p));
      const expected = Float32Array.from({ length: values.length }, () => (slow.nextFloat() < p ? 0 : 1 / (1 - p)));
      expect(values).toEqual(expected);
      expect(fast.getState()).toEqual(slow.getState());
      const zeros = values.filter((v) => v === 0).length / values.length;
      expect(Math.abs(zeros - p)).toBeLessThan(0.02);
    }
  });
});
