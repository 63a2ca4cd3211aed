import { describe, expect, it } from 'vitest';
import { FP4_CODE, NF4_CODE } from './code-tables.js';
import { dequantize4bit } from './dequantize-4bit.js';
import type { QuantError } from './errors.js';
import { quantize4bit } from './quantize-4bit.js';
import { float32Bits } from './testing/float32-bits.js';
import { gaussian } from './testing/gaussian.js';

/** Element i from its nibble and block, one at a time. */
function referenceValue(packed: Uint8Array, absmax: Float32Array, blockSize: number, table: Float32Array, i: number): number {
  const byte = packed[Math.floor(i / 2)];
  const code = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
  return Math.fround(table[code] * absmax[Math.floor(i / blockSize)]);
}

describe('dequantize4bit', () => {
  it('equals code * absmax per element, bit for bit, for both types', () => {
    const values = gaussian(64 * 50 + 5, 3, 0.1);
    for (const [type, table] of [['nf4', NF4_CODE], ['fp4', FP4_CODE]] as const) {
      const state = quantize4bit(values, { type, blockSize: 64 });
      const restored = dequantize4bit(state);
      expect(restored.length).toBe(values.length);
      for (let i = 0; i < values.length; i++) {
        expect(float32Bits(restored[i])).toBe(float32Bits(referenceValue(state.packed, state.absmax!, 64, table, i)));
      }
    }
  });

  it('a row range equals the same slice of the full dequantization, odd row lengths included', () => {
    for (const [rows, cols, blockSize] of [[37, 45, 32], [16, 64, 64], [9, 1000, 128], [5, 7, 4096]] as const) {
      const values = gaussian(rows * cols, rows + cols, 0.3);
      const state = quantize4bit(values, { blockSize, shape: [rows, cols], doubleQuant: true });
      const full = dequantize4bit(state);
      for (const [r0, r1] of [[0, rows], [1, 2], [3, rows], [rows - 1, rows], [2, 2]] as const) {
        const part = dequantize4bit(state, { rows: [r0, r1] });
        expect(Array.from(part)).toEqual(Array.from(full.subarray(r0 * cols, r1 * cols)));
      }
    }
  });

  it('writes into a caller buffer and returns a view of it, without allocating', () => {
    const values = gaussian(8 * 64, 4);
    const state = quantize4bit(values, { shape: [8, 64] });
    const buffer = new Float32Array(1000).fill(7);
    const view = dequantize4bit(state, { rows: [2, 4], out: buffer });
    expect(view.buffer).toBe(buffer.buffer);
    expect(view.length).toBe(128);
    expect(Array.from(view)).toEqual(Array.from(dequantize4bit(state).subarray(128, 256)));
    expect(buffer[128]).toBe(7); // untouched past the view
  });

  it('rejects a row range outside the tensor and a buffer that is too small', () => {
    const state = quantize4bit(new Float32Array(4 * 64).fill(1), { shape: [4, 64] });
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return (error as QuantError).code;
      }
      return 'none';
    };
    expect(codeOf(() => dequantize4bit(state, { rows: [3, 5] }))).toBe('RANGE_OUT_OF_BOUNDS');
    expect(codeOf(() => dequantize4bit(state, { rows: [2, 1] }))).toBe('RANGE_OUT_OF_BOUNDS');
    expect(codeOf(() => dequantize4bit(state, { rows: [-1, 1] }))).toBe('RANGE_OUT_OF_BOUNDS');
    expect(codeOf(() => dequantize4bit(state, { out: new Float32Array(255) }))).toBe('OUTPUT_TOO_SMALL');
  });
});
