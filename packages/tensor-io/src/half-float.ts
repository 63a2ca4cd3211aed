// Float16 and bfloat16 kernels over typed arrays. Node 20 has no Float16Array,
// so halves travel as Uint16 bit patterns. Decoding F16 uses a 65,536-entry
// lookup table (256 KB, built once); decoding BF16 is a 16-bit shift. Encoding
// rounds to nearest, ties to even, like numpy/PyTorch; NaN stays NaN (quiet)
// and overflow becomes infinity.

let f16Table: Float32Array | null = null;

/** Float32 value of every half bit pattern, built on first use. */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) {
      // Subnormal or zero: mantissa * 2^-24 is exact in float32.
      table[h] = (sign ? -1 : 1) * mantissa * 2 ** -24;
    } else if (exponent === 0x1f) {
      bits[h] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    } else {
      bits[h] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
    }
  }
  f16Table = table;
  return table;
}

/** F16 bit patterns -> float32 values. `out` must have the same length. */
export function f16BitsToFloat32(src: Uint16Array, out: Float32Array): Float32Array {
  const table = f16ToF32Table();
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

/** BF16 bit patterns -> float32 values (exact: bfloat16 is the top half of a float32). */
export function bf16BitsToFloat32(src: Uint16Array, out: Float32Array): Float32Array {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = src[i] << 16;
  return out;
}

/** One float32 bit pattern -> the nearest F16 bit pattern (ties to even). */
export function float32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is an F16 subnormal (or zero): shift the full 24-bit significand.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** One float32 bit pattern -> the nearest BF16 bit pattern (ties to even). */
export function float32BitsToBf16(x: number): number {
  if ((x & 0x7fffffff) >>> 0 > 0x7f800000) return (x >>> 16) | 0x40;
  return ((x >>> 0) + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/** Float32 values -> F16 bit patterns. */
export function float32ToF16Bits(src: Float32Array, out: Uint16Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = float32BitsToF16(bits[i]);
  return out;
}

/** Float32 values -> BF16 bit patterns. */
export function float32ToBf16Bits(src: Float32Array, out: Uint16Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}
