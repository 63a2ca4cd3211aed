// The 4-bit code tables of bitsandbytes and the decision thresholds its CUDA
// kernels use to pick a code. Values are float32, exactly as bitsandbytes holds
// them: `get_4bit_type()` in bitsandbytes/functional.py (the `quant_map` it
// serializes) and `dQuantizeNF4` / `dQuantizeFP4` in csrc kernels.

/** A 4-bit data type of bitsandbytes. */
export type FourBitType = 'nf4' | 'fp4';

/**
 * NF4 (QLoRA, Dettmers et al. 2023): 16 quantiles of N(0, 1) normalised to [-1, 1],
 * with an exact zero. Index = the 4-bit code.
 */
export const NF4_CODE: Float32Array = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023,
  1.0,
]);

/**
 * FP4 (e2m1 with bitsandbytes' bias): bit 3 is the sign, bits 0-2 an exponent /
 * mantissa pattern whose magnitudes are 0, 0.0625, 8, 12, 4, 6, 2, 3, divided by
 * their maximum 12 in float32 (`data.div_(data.abs().max())`). Code 8 is -0.
 */
export const FP4_CODE: Float32Array = Float32Array.from(
  [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3].map((v) => v / 12),
);

/**
 * The comparisons of `dQuantizeNF4`, sorted. They are the midpoints between
 * neighbouring NF4 codes written as float32 literals; the kernel's tree returns
 * the number of thresholds strictly below x, so ties go to the lower code.
 */
export const NF4_THRESHOLDS: Float32Array = Float32Array.from([
  -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544, -0.23460740596055984,
  -0.13791173323988914, -0.045525018125772476, 0.03979014977812767, 0.1202552504837513, 0.2035212516784668,
  0.2920137718319893, 0.3893125355243683, 0.5016634166240692, 0.6427869200706482, 0.8614784181118011,
]);

/**
 * The comparisons of `dQuantizeFP4` on |x|, sorted (float32 literals of the
 * kernel; note 0.583333 is not exactly the midpoint 7/12: it is what the kernel
 * compares against).
 */
export const FP4_MAGNITUDE_THRESHOLDS: Float32Array = Float32Array.from([
  0.00260417, 0.0859375, 0.20833333, 0.29166667, 0.4166667, 0.583333, 0.8333333,
]);

/**
 * Code (without sign bit) of the r-th magnitude region of FP4: the magnitudes
 * 0, 1/192, 1/6, 1/4, 1/3, 1/2, 2/3, 1 have the bit patterns 000, 001, 110, 111,
 * 100, 101, 010, 011.
 */
export const FP4_REGION_CODES: Uint8Array = Uint8Array.from([0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011]);

/** The code table of a 4-bit type (shared; do not mutate). */
export function codeTableOf(type: FourBitType): Float32Array {
  return type === 'nf4' ? NF4_CODE : FP4_CODE;
}
