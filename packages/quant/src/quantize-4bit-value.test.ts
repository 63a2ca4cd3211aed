import { describe, expect, it } from 'vitest';
import { FP4_CODE, FP4_MAGNITUDE_THRESHOLDS, NF4_CODE, NF4_THRESHOLDS } from './code-tables.js';
import { quantize4bitValue } from './quantize-4bit-value.js';
import { quantize4bit } from './quantize-4bit.js';
import { nextDownFloat32, nextUpFloat32 } from './testing/float32-bits.js';
import { uniformArray } from './testing/gaussian.js';

/** Nearest code by exhaustive search (ties to the lower index), in float64. */
function nearestCode(x: number, table: Float32Array): number {
  let best = 0;
  for (let c = 1; c < table.length; c++) if (Math.abs(x - table[c]) < Math.abs(x - table[best])) best = c;
  return best;
}

describe('quantize4bitValue (the kernels decision trees)', () => {
  it('NF4 picks the nearest code away from ties', () => {
    for (const x of uniformArray(5000, -1, 1, 3)) {
      const nearTie = NF4_THRESHOLDS.some((t) => Math.abs(x - t) < 1e-6);
      if (!nearTie) expect(quantize4bitValue(x, 'nf4')).toBe(nearestCode(x, NF4_CODE));
    }
  });

  it('FP4 picks the nearest magnitude and keeps the sign bit', () => {
    for (const x of uniformArray(5000, -1, 1, 4)) {
      const nearTie = FP4_MAGNITUDE_THRESHOLDS.some((t) => Math.abs(Math.abs(x) - t) < 1e-5);
      if (nearTie) continue;
      const code = quantize4bitValue(x, 'fp4');
      // === so that the codes of 0 and -0 count as the same value.
      expect(FP4_CODE[code] === FP4_CODE[nearestCode(x, FP4_CODE)]).toBe(true);
      expect(code >> 3).toBe(x < 0 ? 1 : 0);
    }
  });

  it('a value equal to a threshold goes to the lower code, the next float32 up to the upper one', () => {
    NF4_THRESHOLDS.forEach((t, i) => {
      expect(quantize4bitValue(t, 'nf4')).toBe(i);
      expect(quantize4bitValue(nextUpFloat32(t), 'nf4')).toBe(i + 1);
    });
  });

  it('NaN (a zero block scaled by 1/0) falls through to code 0; -0 has no sign bit in FP4', () => {
    expect(quantize4bitValue(Number.NaN, 'nf4')).toBe(0);
    expect(quantize4bitValue(Number.NaN, 'fp4')).toBe(0);
    expect(quantize4bitValue(-0, 'fp4')).toBe(0);
    expect(quantize4bitValue(-0, 'nf4')).toBe(7);
    expect(quantize4bitValue(Infinity, 'nf4')).toBe(15);
    expect(quantize4bitValue(-Infinity, 'fp4')).toBe(0b1011);
  });
});

describe('quantize4bit fast path', () => {
  it('agrees with the decision tree on every float32 next to every threshold and on random values', () => {
    for (const type of ['nf4', 'fp4'] as const) {
      const probes: number[] = [-1, 1, 0, -0];
      const thresholds = type === 'nf4' ? Array.from(NF4_THRESHOLDS) : Array.from(FP4_MAGNITUDE_THRESHOLDS).flatMap((t) => [t, -t]);
      for (const t of thresholds) {
        let up = t;
        let down = t;
        probes.push(t);
        for (let k = 0; k < 4; k++) {
          up = nextUpFloat32(up);
          down = nextDownFloat32(down);
          probes.push(up, down);
        }
      }
      probes.push(...uniformArray(4096, -1, 1, 11));
      // Blocks of 64 whose first value is 1.0: absmax 1, so each probe is quantized as itself.
      const values: number[] = [];
      for (let i = 0; i < probes.length; i += 63) values.push(1, ...probes.slice(i, i + 63));
      while (values.length % 64 !== 0) values.push(0);
      const state = quantize4bit(Float32Array.from(values), { type, blockSize: 64 });
      values.forEach((v, i) => {
        const byte = state.packed[i >> 1];
        const code = i % 2 === 0 ? byte >> 4 : byte & 15;
        expect(code, `value ${v} at ${i}`).toBe(quantize4bitValue(v, type));
      });
    }
  });
});
