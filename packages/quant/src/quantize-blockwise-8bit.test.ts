import { describe, expect, it } from 'vitest';
import { dequantizeBlockwise8bit } from './dequantize-blockwise-8bit.js';
import { createDynamicMap } from './dynamic-map.js';
import { quantize8bitValue, quantizeBlockwise8bit } from './quantize-blockwise-8bit.js';
import { gaussian, uniformArray } from './testing/gaussian.js';

describe('quantizeBlockwise8bit (dynamic map)', () => {
  const code = createDynamicMap();

  it('picks the nearest code of the map (the kernel search ends at a neighbour of x)', () => {
    for (const x of uniformArray(4000, -1, 1, 21)) {
      const q = quantize8bitValue(code, Math.fround(x));
      const chosen = Math.abs(x - code[q]);
      let best = Infinity;
      for (const c of code) best = Math.min(best, Math.abs(x - c));
      // Ties between two neighbours are decided by a float32 midpoint: allow one float32 ulp.
      expect(chosen - best).toBeLessThanOrEqual(Math.abs(x) * 1.2e-7 + 1e-12);
    }
  });

  it('maps -1, 0 and 1 to the ends and the zero of the map', () => {
    expect(quantize8bitValue(code, 1)).toBe(255);
    expect(quantize8bitValue(code, 0)).toBe(127);
    expect(quantize8bitValue(code, -1)).toBe(0);
    expect(quantize8bitValue(code, Number.NaN)).toBe(0); // 0 * (1/0): a block of zeros
  });

  it('round-trips blockwise with a relative error bounded by the map spacing near 1 (< 0.75%)', () => {
    const values = gaussian(1000, 8);
    const { codes, absmax } = quantizeBlockwise8bit(values, code, 256);
    expect(absmax).toHaveLength(4);
    const restored = dequantizeBlockwise8bit(codes, absmax, code, 256);
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(restored[i] - values[i])).toBeLessThanOrEqual(0.0075 * absmax[Math.floor(i / 256)]);
    }
  });
});
