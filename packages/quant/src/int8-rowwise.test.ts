import { describe, expect, it } from 'vitest';
import { dequantizeInt8Rowwise } from './dequantize-int8-rowwise.js';
import type { QuantError } from './errors.js';
import { quantizeInt8Rowwise } from './quantize-int8-rowwise.js';
import { gaussian } from './testing/gaussian.js';
import { relativeRmse } from './testing/quant-error.js';

/** torch.round: halves to even. */
function roundHalfEvenReference(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

describe('row-wise int8', () => {
  it('stores round(w * 127 / rowAbsmax) with torch rounding and the row absmax as SCB', () => {
    const rows = 6;
    const cols = 50;
    const values = gaussian(rows * cols, 31, 0.1);
    values[3] = 0.5; // row 0's absmax
    values[4] = 0.25; // exactly 63.5 after scaling: halves go to even (64)
    values.fill(0, 2 * cols, 3 * cols); // a zero row
    const state = quantizeInt8Rowwise(values, [rows, cols]);
    expect(state.shape).toEqual([rows, cols]);
    for (let r = 0; r < rows; r++) {
      const row = values.subarray(r * cols, (r + 1) * cols);
      const absmax = Math.max(...Array.from(row, Math.abs));
      expect(state.scb[r]).toBe(absmax);
      for (let c = 0; c < cols; c++) {
        const expected = absmax === 0 ? 0 : roundHalfEvenReference(Math.fround(row[c] * Math.fround(Math.fround(1 / absmax) * 127)));
        expect(state.weight[r * cols + c]).toBe(expected);
      }
    }
    expect(state.weight[4]).toBe(64);
  });

  it('dequantizes as q * SCB / 127 (bitsandbytes int8_vectorwise_dequant), also by row range', () => {
    const values = gaussian(7 * 33, 5);
    const state = quantizeInt8Rowwise(values, [7, 33]);
    const full = dequantizeInt8Rowwise(state);
    const inv127 = Math.fround(7.874015718698502e-3);
    for (let i = 0; i < values.length; i++) {
      expect(full[i]).toBe(Math.fround(Math.fround(state.weight[i] * state.scb[Math.floor(i / 33)]) * inv127));
    }
    expect(Array.from(dequantizeInt8Rowwise(state, { rows: [2, 5] }))).toEqual(Array.from(full.subarray(66, 165)));
    expect(relativeRmse(values, full)).toBeLessThan(0.02);
  });

  it('needs a matrix and finite values', () => {
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return (error as QuantError).code;
      }
      return 'none';
    };
    expect(codeOf(() => quantizeInt8Rowwise(new Float32Array(8), [8]))).toBe('NOT_A_MATRIX');
    expect(codeOf(() => quantizeInt8Rowwise(new Float32Array(8), [3, 3]))).toBe('SHAPE_MISMATCH');
    const bad = new Float32Array(8);
    bad[5] = Infinity;
    expect(codeOf(() => quantizeInt8Rowwise(bad, [2, 4]))).toBe('NON_FINITE_WEIGHT');
  });
});
