// Blockwise 8-bit quantization against a 256-value code, as bitsandbytes'
// kQuantizeBlockwise<General8bit> kernel does it (used for the nested absmax):
// absmax per block, x = float32(v * float32(1 / absmax)), then `dQuantize<0>`:
// a 7-step binary search over the sorted code followed by a float32 midpoint
// comparison with the neighbour on the side x lies.
import { QuantError } from './errors.js';

const F = Math.fround;

export interface Blockwise8bit {
  codes: Uint8Array;
  absmax: Float32Array;
}

/** Quantizes `values` in blocks of `blockSize` against `code` (256 ascending float32 values). */
export function quantizeBlockwise8bit(values: Float32Array, code: Float32Array, blockSize: number): Blockwise8bit {
  if (code.length !== 256) {
    throw new QuantError('STATE_INVALID', `8-bit code has ${code.length} values, expected 256`, {
      field: 'code',
      limit: 256,
    });
  }
  const n = values.length;
  const blocks = Math.ceil(n / blockSize);
  const codes = new Uint8Array(n);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * blockSize;
    const end = Math.min(n, start + blockSize);
    let m = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(values[i]);
      if (a > m) m = a;
    }
    absmax[b] = m;
    const inv = F(1 / m);
    for (let i = start; i < end; i++) codes[i] = quantize8bitValue(code, F(values[i] * inv));
  }
  return { codes, absmax };
}

/** `dQuantize<0>` of csrc/kernels.cu, statement for statement (NaN ends at code 0). */
export function quantize8bitValue(code: Float32Array, x: number): number {
  let pivot = 127;
  let upperPivot = 255;
  let lowerPivot = 0;
  let lower = -1;
  let upper = 1;
  let val = code[pivot];
  for (let i = 64; i > 0; i >>= 1) {
    if (x > val) {
      lowerPivot = pivot;
      lower = val;
      pivot += i;
    } else {
      upperPivot = pivot;
      upper = val;
      pivot -= i;
    }
    val = code[pivot];
  }
  if (upperPivot === 255) upper = code[upperPivot];
  if (lowerPivot === 0) lower = code[lowerPivot];
  if (x > val) {
    const midpoint = F(F(upper + val) * 0.5);
    return x > midpoint ? upperPivot : pivot;
  }
  const midpoint = F(F(lower + val) * 0.5);
  return x < midpoint ? lowerPivot : pivot;
}
