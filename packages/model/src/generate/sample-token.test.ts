import { describe, expect, it } from 'vitest';
import { createRng } from './create-rng.js';
import { argmax, sampleToken } from './sample-token.js';

const LOGITS = Float32Array.from([1, 2.5, 0.5, 2, -1]);

function softmax(values: ArrayLike<number>, temperature: number): number[] {
  const scaled = Array.from(values, (v) => v / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function frequencies(draws: number, sample: () => number, n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) counts[sample()]++;
  return counts.map((c) => c / draws);
}

describe('createRng', () => {
  it('is deterministic per seed, uniform in [0, 1)', () => {
    const a = createRng(123);
    const b = createRng(123);
    const values = Array.from({ length: 20000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(createRng(124)()).not.toBe(createRng(123)());
    expect(createRng(2 ** 40)()).not.toBe(createRng(0)());
    expect(() => createRng(-1)).toThrow(RangeError);
  });
});

describe('sampleToken', () => {
  it('temperature 0 is argmax', () => {
    expect(sampleToken(LOGITS, { temperature: 0, topP: 0.9 }, () => 0.99)).toBe(1);
    expect(argmax([3, 7, 7, 1])).toBe(1);
  });

  it('samples softmax(logits / temperature) without top-p', () => {
    const rng = createRng(1);
    const freq = frequencies(40000, () => sampleToken(LOGITS, { temperature: 0.8, topP: 1 }, rng), 5);
    softmax(LOGITS, 0.8).forEach((p, i) => expect(Math.abs(freq[i] - p)).toBeLessThan(0.01));
  });

  it('top-p samples only the smallest set of likeliest tokens whose mass exceeds p, renormalised', () => {
    const probs = softmax(LOGITS, 1); // order: 1, 3, 0, 2, 4
    const p = probs[1] + probs[3] - 0.01; // nucleus = {1, 3}
    const rng = createRng(2);
    const freq = frequencies(40000, () => sampleToken(LOGITS, { temperature: 1, topP: p }, rng), 5);
    const mass = probs[1] + probs[3];
    expect(freq[0] + freq[2] + freq[4]).toBe(0);
    expect(Math.abs(freq[1] - probs[1] / mass)).toBeLessThan(0.01);
  });
});
