// One value to its 4-bit code, literally as the bitsandbytes CUDA kernels decide
// (`dQuantizeNF4`, `dQuantizeFP4`). This is the reference the fast grid lookup
// in quantize-4bit.ts is checked against, and the path taken for non-finite
// scaled values (a zero block gives 0 * Infinity = NaN, which falls through every
// comparison to code 0, as on the GPU).
import { FP4_MAGNITUDE_THRESHOLDS, NF4_THRESHOLDS, type FourBitType } from './code-tables.js';

/** The 4-bit code bitsandbytes assigns to `x` (x already divided by the block's absmax, in float32). */
export function quantize4bitValue(x: number, type: FourBitType): number {
  return type === 'nf4' ? nf4Tree(Math.fround(x)) : fp4Tree(Math.fround(x));
}

// The kernels' literals are float literals (`0.0397...f`): comparing a float32 x
// against the double literal could differ when x equals the rounded threshold, so
// the thresholds are taken from the float32 tables.
const [N0, N1, N2, N3, N4, N5, N6, N7, N8, N9, N10, N11, N12, N13, N14] = NF4_THRESHOLDS;
const [T0, T1, T2, T3, T4, T5, T6] = FP4_MAGNITUDE_THRESHOLDS;

function nf4Tree(x: number): number {
  if (x > N7) {
    if (x > N11) {
      if (x > N13) return x > N14 ? 0b1111 : 0b1110;
      return x > N12 ? 0b1101 : 0b1100;
    }
    if (x > N9) return x > N10 ? 0b1011 : 0b1010;
    return x > N8 ? 0b1001 : 0b1000;
  }
  if (x > N3) {
    if (x > N5) return x > N6 ? 0b0111 : 0b0110;
    return x > N4 ? 0b0101 : 0b0100;
  }
  if (x > N1) return x > N2 ? 0b0011 : 0b0010;
  return x > N0 ? 0b0001 : 0b0000;
}

function fp4Tree(x: number): number {
  const sign = x < 0 ? 0b1000 : 0b0000;
  const a = Math.abs(x);
  if (a > T3) {
    if (a > T5) return (a > T6 ? 0b0011 : 0b0010) + sign;
    return (a > T4 ? 0b0101 : 0b0100) + sign;
  }
  if (a > T1) return (a > T2 ? 0b0111 : 0b0110) + sign;
  return (a > T0 ? 0b0001 : 0b0000) + sign;
}
