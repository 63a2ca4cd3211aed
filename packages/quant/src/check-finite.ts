import { QuantError } from './errors.js';

/**
 * Throws NON_FINITE_WEIGHT naming the tensor and the first bad flat index if
 * values[start, end) holds NaN or +-Infinity. The quantizers do not call it per
 * element: their absmax uses Math.max, which propagates NaN and Infinity, and they
 * call this only when a block's absmax is not finite (a separate pass over every
 * weight cost a third of the quantization time).
 */
export function checkFinite(values: ArrayLike<number>, tensor = 'tensor', start = 0, end = values.length): void {
  for (let i = start; i < end; i++) {
    const v = values[i];
    // v - v is 0 for every finite v and NaN for NaN and +-Infinity.
    if (v - v !== 0) {
      throw new QuantError(
        'NON_FINITE_WEIGHT',
        `tensor "${tensor}" holds ${v} at flat index ${i}: weights must be finite to be quantized`,
        { tensor, index: i, field: 'values' },
      );
    }
  }
}
