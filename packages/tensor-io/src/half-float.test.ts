import { describe, expect, it } from 'vitest';
import { bf16BitsToFloat32, f16BitsToFloat32, float32ToBf16Bits, float32ToF16Bits } from './half-float.js';
import { BF16_FORMAT, F16_FORMAT, f16BitsReference, roundToFormatReference } from './testing/reference-float.js';

/** Deterministic xorshift32 stream of uint32 values. */
function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function sameFloat(actual: number, expected: number): boolean {
  return Number.isNaN(expected) ? Number.isNaN(actual) : Object.is(actual, expected);
}

function countMismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < expected.length; i++) if (!sameFloat(actual[i], expected[i])) bad++;
  return bad;
}

describe('F16 decode', () => {
  it('matches the textbook formula for all 65,536 bit patterns', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const decoded = f16BitsToFloat32(bits, new Float32Array(65536));
    const expected = Array.from(bits, f16BitsReference);
    expect(countMismatches(decoded, expected)).toBe(0);
    expect(decoded[0x3c00]).toBe(1);
    expect(decoded[0x0001]).toBe(2 ** -24);
    expect(decoded[0x7bff]).toBe(65504);
  });
});

describe('BF16 decode', () => {
  it('is the top half of a float32 for all 65,536 bit patterns', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const decoded = bf16BitsToFloat32(bits, new Float32Array(65536));
    const view = new DataView(new ArrayBuffer(4));
    const expected = Array.from(bits, (b) => {
      view.setUint32(0, b * 65536);
      return view.getFloat32(0);
    });
    expect(countMismatches(decoded, expected)).toBe(0);
  });
});

describe('float32 -> F16 encode (round to nearest even)', () => {
  it('reproduces every finite half exactly and keeps infinities', () => {
    const values = new Float32Array(Array.from({ length: 65536 }, (_, i) => f16BitsReference(i)).filter((v) => !Number.isNaN(v)));
    const roundTrip = f16BitsToFloat32(float32ToF16Bits(values, new Uint16Array(values.length)), new Float32Array(values.length));
    expect(countMismatches(roundTrip, values)).toBe(0);
  });

  it('rounds midpoints between neighbouring halves to the even one', () => {
    const mids: number[] = [];
    for (let h = 0; h < 0x7bff; h++) mids.push((f16BitsReference(h) + f16BitsReference(h + 1)) / 2);
    const values = new Float32Array(mids); // every midpoint is exact in float32
    expect(Array.from(values)).toEqual(mids);
    const encoded = float32ToF16Bits(values, new Uint16Array(values.length));
    const wrong = Array.from(encoded).filter((e, h) => e !== (h % 2 === 0 ? h : h + 1));
    expect(wrong).toEqual([]);
    expect(encoded.length).toBe(0x7bff);
  });

  it('matches a float64 reference on 200,000 random float32 bit patterns', () => {
    const next = xorshift32(12345);
    const bits = new Uint32Array(200_000);
    // Half of them near the F16 range, where rounding is interesting.
    for (let i = 0; i < bits.length; i++) bits[i] = i % 2 === 0 ? next() : (next() % (0x48000000 - 0x33000000)) + 0x33000000 + (next() & 0x80000000);
    const values = new Float32Array(bits.buffer);
    const decoded = f16BitsToFloat32(float32ToF16Bits(values, new Uint16Array(values.length)), new Float32Array(values.length));
    const expected = Array.from(values, (v) => roundToFormatReference(v, F16_FORMAT));
    expect(countMismatches(decoded, expected)).toBe(0);
  });
});

describe('float32 -> BF16 encode (round to nearest even)', () => {
  it('matches a float64 reference on 200,000 random float32 bit patterns', () => {
    const next = xorshift32(999);
    const values = new Float32Array(new Uint32Array(200_000).map(() => next()).buffer);
    const decoded = bf16BitsToFloat32(float32ToBf16Bits(values, new Uint16Array(values.length)), new Float32Array(values.length));
    const expected = Array.from(values, (v) => roundToFormatReference(v, BF16_FORMAT));
    expect(countMismatches(decoded, expected)).toBe(0);
  });

  it('rounds ties to even and overflows to infinity', () => {
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties to 1 (even mantissa).
    // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: ties to 1 + 2^-6.
    const values = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4028234663852886e38, -3.4028234663852886e38]);
    const decoded = bf16BitsToFloat32(float32ToBf16Bits(values, new Uint16Array(4)), new Float32Array(4));
    expect(Array.from(decoded)).toEqual([1, 1 + 2 ** -6, Infinity, -Infinity]);
  });

  it('keeps NaN a NaN (never rounds it into infinity)', () => {
    const values = new Float32Array(new Uint32Array([0x7f800001, 0xffffffff, 0x7fc00000]).buffer);
    const f16 = f16BitsToFloat32(float32ToF16Bits(values, new Uint16Array(3)), new Float32Array(3));
    const bf16 = bf16BitsToFloat32(float32ToBf16Bits(values, new Uint16Array(3)), new Float32Array(3));
    expect(Array.from(f16).every(Number.isNaN)).toBe(true);
    expect(Array.from(bf16).every(Number.isNaN)).toBe(true);
  });
});
