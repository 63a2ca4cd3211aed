// Slow, obviously-correct float64 references for the half-precision kernels:
// decode by the textbook formula, encode by scaling to an integer quantum and
// rounding ties to even. Independent of the bit tricks in half-float.ts.

/** Value of a binary16 bit pattern: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals 2^-14 * m/1024. */
export function f16BitsReference(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

export interface FloatFormat {
  /** Stored mantissa bits (10 for F16, 7 for BF16). */
  mantissaBits: number;
  /** Smallest normal exponent (-14 for F16, -126 for BF16). */
  minExponent: number;
  /** Largest finite value. */
  maxFinite: number;
}

export const F16_FORMAT: FloatFormat = { mantissaBits: 10, minExponent: -14, maxFinite: 65504 };
export const BF16_FORMAT: FloatFormat = { mantissaBits: 7, minExponent: -126, maxFinite: (2 - 2 ** -7) * 2 ** 127 };

/** Nearest value of `format` to x (ties to even), as a float64; overflow -> ±Infinity. */
export function roundToFormatReference(x: number, format: FloatFormat): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0 || !Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  e = Math.max(e, format.minExponent);
  const quantum = 2 ** (e - format.mantissaBits);
  const scaled = a / quantum; // exact: quantum is a power of two
  let n = Math.floor(scaled);
  const fraction = scaled - n;
  if (fraction > 0.5 || (fraction === 0.5 && n % 2 === 1)) n++;
  const result = n * quantum;
  return sign * (result > format.maxFinite ? Infinity : result);
}
