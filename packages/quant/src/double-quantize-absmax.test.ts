import { describe, expect, it } from 'vitest';
import { absmaxOf } from './absmax-of.js';
import { dequantize4bit } from './dequantize-4bit.js';
import { doubleQuantizeAbsmax } from './double-quantize-absmax.js';
import { quantize4bit } from './quantize-4bit.js';
import { gaussian } from './testing/gaussian.js';
import { relativeRmse } from './testing/quant-error.js';

describe('double quantization of the absmax', () => {
  it('subtracts the float32 mean and restores each absmax within one step of the 8-bit map', () => {
    const absmax = Float32Array.from(gaussian(1000, 12), (v) => 0.05 + 0.01 * Math.abs(v));
    const nested = doubleQuantizeAbsmax(absmax);
    const mean = absmax.reduce((a, b) => a + b, 0) / absmax.length;
    expect(nested.offset).toBe(Math.fround(mean));
    expect(nested.blockSize).toBe(256);
    expect(nested.codes).toHaveLength(1000);
    expect(nested.absmax).toHaveLength(4);
    expect(nested.quantMap).toHaveLength(256);
    const state = quantize4bit(new Float32Array(64), { doubleQuant: false });
    const restored = absmaxOf({ ...state, absmax: null, nested });
    for (let i = 0; i < absmax.length; i++) {
      // Near +-1 the dynamic map is spaced ~0.014 apart: half of it times the nested scale.
      expect(Math.abs(restored[i] - absmax[i])).toBeLessThanOrEqual(0.0075 * nested.absmax[Math.floor(i / 256)] + 1e-9);
    }
  });

  it('cuts the storage of the scales from 0.5 to about 0.127 bits per parameter for a 2048 x 1024 weight', () => {
    const n = 2048 * 1024;
    const values = gaussian(n, 77, 0.02);
    const plain = quantize4bit(values, { blockSize: 64 });
    const nested = quantize4bit(values, { blockSize: 64, doubleQuant: true });
    const plainBits = (plain.absmax!.length * 32) / n;
    const nestedBits = (nested.nested!.codes.length * 8 + nested.nested!.absmax.length * 32) / n;
    expect(plainBits).toBe(0.5);
    expect(nestedBits).toBeCloseTo(8 / 64 + 32 / (64 * 256), 10);
    expect(nestedBits).toBeCloseTo(0.127, 3);
    // Same 4-bit codes; only the scales differ, and the error barely moves.
    // (element loop: deep equality of megabyte arrays is slow in vitest)
    expect(nested.packed.every((b, i) => b === plain.packed[i])).toBe(true);
    const plainError = relativeRmse(values, dequantize4bit(plain));
    const nestedError = relativeRmse(values, dequantize4bit(nested));
    expect(nestedError).toBeGreaterThanOrEqual(plainError * 0.999);
    expect(nestedError - plainError).toBeLessThan(0.001);
  });
});
