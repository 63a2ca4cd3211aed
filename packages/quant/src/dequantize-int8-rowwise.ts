// int8 -> float32 as bitsandbytes' `int8_vectorwise_dequant`:
// out = float32(float32(q * SCB[row]) * float32(1/127)), the constant being
// 7.874015718698502e-3 (a Python float torch rounds to float32).
import { resolveRange } from './resolve-range.js';
import type { DequantizeOptions, Int8RowwiseState } from './types.js';

const INV_127 = Math.fround(7.874015718698502e-3);

/** Dequantizes a row-wise int8 tensor, or rows [start, end) of it, into `options.out` or a new array. */
export function dequantizeInt8Rowwise(state: Int8RowwiseState, options: DequantizeOptions = {}): Float32Array {
  const { start, end, out } = resolveRange(state.shape, state.numel, options.rows, options.out);
  const cols = state.shape[1];
  const { weight, scb } = state;
  let o = 0;
  for (let i = start; i < end; ) {
    const row = Math.floor(i / cols);
    const rowEnd = Math.min(end, (row + 1) * cols);
    const s = scb[row];
    for (; i < rowEnd; i++) out[o++] = Math.fround(weight[i] * s) * INV_127;
  }
  return out;
}
