import { describe, expect, it } from 'vitest';
import { FP4_CODE, FP4_MAGNITUDE_THRESHOLDS, FP4_REGION_CODES, NF4_CODE, NF4_THRESHOLDS } from './code-tables.js';

describe('NF4 code table', () => {
  it('holds the 16 values of docs/method.md (bitsandbytes get_4bit_type("nf4")) as float32', () => {
    const documented = [
      -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
      -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
      0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ];
    expect(Array.from(NF4_CODE)).toEqual(documented.map(Math.fround));
    // The documented decimals are float32 values printed as doubles: rounding changes nothing.
    expect(documented.every((v) => Math.fround(v) === v)).toBe(true);
  });

  it('is close to the normal quantiles it was built from (create_normal_map, offset 0.9677083)', () => {
    // Independent check with an inverse normal CDF (Acklam's approximation, |error| < 1.2e-9).
    const icdf = (p: number): number => {
      const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
      const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
      const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
      const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
      const q = Math.min(p, 1 - p);
      const r = Math.sqrt(-2 * Math.log(q));
      const x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
      if (q > 0.02425) {
        const s = p - 0.5;
        const t = s * s;
        return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * s / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
      }
      return p < 0.5 ? x : -x;
    };
    const offset = 0.9677083;
    const positive = Array.from({ length: 8 }, (_, i) => icdf(offset + ((0.5 - offset) * i) / 8));
    const negative = Array.from({ length: 7 }, (_, i) => -icdf(offset + ((0.5 - offset) * i) / 7));
    const values = [...positive, 0, ...negative].sort((x, y) => x - y);
    const max = Math.max(...values);
    values.forEach((v, i) => expect(NF4_CODE[i]).toBeCloseTo(v / max, 5));
  });

  it('thresholds are the float32 midpoints between neighbouring codes', () => {
    expect(NF4_THRESHOLDS).toHaveLength(15);
    for (let i = 0; i < 15; i++) {
      const midpoint = (NF4_CODE[i] + NF4_CODE[i + 1]) / 2;
      expect(Math.abs(NF4_THRESHOLDS[i] - midpoint)).toBeLessThan(1e-7);
    }
  });
});

describe('FP4 code table', () => {
  it('equals the float32 literals of the CUDA dequantization table with the sign bit', () => {
    // fp4_dequantization_lut in csrc: index = the low 3 bits, bit 3 negates.
    const lut = [0.0, 0.005208333333, 0.66666667, 1.0, 0.33333333, 0.5, 0.16666667, 0.25].map(Math.fround);
    for (let code = 0; code < 16; code++) {
      const expected = (code & 8 ? -1 : 1) * lut[code & 7];
      expect(Object.is(FP4_CODE[code], expected)).toBe(true);
    }
  });

  it('has the e2m1 normal magnitudes of create_fp8_map(signed, exponent_bits=2, precision_bits=1), scaled to 1', () => {
    // create_fp8_map: bias 2; exponent field e in 1..3 gives (1 + m/2) * 2^(3 - e) for mantissa bit m.
    const normals: number[] = [];
    for (let e = 1; e <= 3; e++) for (const m of [0, 1]) normals.push((1 + m / 2) * 2 ** (3 - e));
    const max = Math.max(...normals);
    const magnitudes = new Set(Array.from(FP4_CODE, Math.abs));
    for (const v of normals) expect(magnitudes.has(Math.fround(v / max))).toBe(true);
    // The one subnormal bitsandbytes uses is 0.0625 / 12 (get_4bit_type), besides zero.
    expect(FP4_CODE[1]).toBe(Math.fround(0.0625 / 12));
    expect(Object.is(FP4_CODE[8], -0)).toBe(true);
  });

  it('magnitude thresholds sit between consecutive magnitudes and map to the right bit patterns', () => {
    const sorted = Array.from(FP4_CODE.subarray(0, 8)).map((v, code) => ({ v, code })).sort((a, b) => a.v - b.v);
    expect(sorted.map((s) => s.code)).toEqual(Array.from(FP4_REGION_CODES));
    for (let r = 0; r < 7; r++) {
      const midpoint = (sorted[r].v + sorted[r + 1].v) / 2;
      expect(Math.abs(FP4_MAGNITUDE_THRESHOLDS[r] - midpoint)).toBeLessThan(1e-6);
    }
  });
});
