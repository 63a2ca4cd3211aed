import { describe, expect, test } from 'vitest';
import { interleavedToRotateHalf, rotateHalfToInterleaved } from './rotary-permutation.js';

/** Deterministic pseudo-random floats (xorshift32), so failures reproduce. */
function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function project(w: Float32Array, x: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r] += w[r * cols + c] * x[c];
  return out;
}

/** Rotary as llama2.c's run.c applies it: pairs (2j, 2j+1). */
function ropeInterleaved(v: Float64Array, heads: number, hs: number, pos: number): void {
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < hs / 2; j++) {
      const a = pos / 10000 ** ((2 * j) / hs);
      const [x0, x1] = [v[h * hs + 2 * j], v[h * hs + 2 * j + 1]];
      v[h * hs + 2 * j] = x0 * Math.cos(a) - x1 * Math.sin(a);
      v[h * hs + 2 * j + 1] = x0 * Math.sin(a) + x1 * Math.cos(a);
    }
  }
}

/** Rotary as Hugging Face's apply_rotary_pos_emb applies it: q*cos + rotate_half(q)*sin. */
function ropeRotateHalf(v: Float64Array, heads: number, hs: number, pos: number): void {
  for (let h = 0; h < heads; h++) {
    const head = v.slice(h * hs, (h + 1) * hs);
    for (let i = 0; i < hs; i++) {
      const j = i % (hs / 2);
      const a = pos / 10000 ** ((2 * j) / hs);
      const rotated = i < hs / 2 ? -head[i + hs / 2] : head[i - hs / 2];
      v[h * hs + i] = head[i] * Math.cos(a) + rotated * Math.sin(a);
    }
  }
}

describe('rotary permutation', () => {
  test('rotateHalfToInterleaved inverts interleavedToRotateHalf', () => {
    const w = randomArray(6 * 8 * 5, 1);
    expect(rotateHalfToInterleaved(interleavedToRotateHalf(w, 6, 8, 5), 6, 8, 5)).toEqual(w);
    expect(interleavedToRotateHalf(w, 6, 8, 5)).not.toEqual(w);
  });

  test('matches export.py: interleaved row h*hs + 2j + r holds rotate-half row h*hs + r*hs/2 + j', () => {
    // Rows carry their own index so the mapping can be read off.
    const heads = 2;
    const hs = 6;
    const rows = new Float32Array(heads * hs).map((_, i) => i);
    const hf = interleavedToRotateHalf(rows, heads, hs, 1);
    expect(Array.from(hf)).toEqual([0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11]);
  });

  test('attention scores are unchanged: interleaved rope on llama2.c rows = rotate-half rope on permuted rows', () => {
    const heads = 4;
    const kvHeads = 2;
    const hs = 16;
    const dim = 24;
    const wq = randomArray(heads * hs * dim, 2);
    const wk = randomArray(kvHeads * hs * dim, 3);
    const wqHf = interleavedToRotateHalf(wq, heads, hs, dim);
    const wkHf = interleavedToRotateHalf(wk, kvHeads, hs, dim);
    const xq = randomArray(dim, 4);
    const xk = randomArray(dim, 5);
    for (const [pq, pk] of [[0, 0], [7, 3], [300, 299], [511, 0]]) {
      const q1 = project(wq, xq, heads * hs, dim);
      const k1 = project(wk, xk, kvHeads * hs, dim);
      ropeInterleaved(q1, heads, hs, pq);
      ropeInterleaved(k1, kvHeads, hs, pk);
      const q2 = project(wqHf, xq, heads * hs, dim);
      const k2 = project(wkHf, xk, kvHeads * hs, dim);
      ropeRotateHalf(q2, heads, hs, pq);
      ropeRotateHalf(k2, kvHeads, hs, pk);
      for (let h = 0; h < heads; h++) {
        const kvh = Math.floor(h / (heads / kvHeads));
        let s1 = 0;
        let s2 = 0;
        for (let i = 0; i < hs; i++) {
          s1 += q1[h * hs + i] * k1[kvh * hs + i];
          s2 += q2[h * hs + i] * k2[kvh * hs + i];
        }
        expect(Math.abs(s1 - s2)).toBeLessThan(1e-12);
        expect(Math.abs(s1)).toBeGreaterThan(1e-6);
      }
    }
  });

  test('rejects odd head sizes and wrong lengths', () => {
    expect(() => interleavedToRotateHalf(new Float32Array(6), 2, 3, 1)).toThrow(RangeError);
    expect(() => interleavedToRotateHalf(new Float32Array(7), 2, 4, 1)).toThrow(RangeError);
  });
});
