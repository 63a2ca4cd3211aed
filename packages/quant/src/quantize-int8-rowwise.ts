// Row-wise absmax int8, the LLM.int8() weight storage of bitsandbytes
// (`int8_vectorwise_quant`, threshold 0):
//   SCB[r] = max |w[r, :]|                          (float32)
//   scale  = float32(float32(1 / SCB[r]) * 127)     (torch evaluates 127.0 / t as t.reciprocal() * 127)
//   q      = round_half_even(float32(w * scale))    (torch.round), as int8
// A zero row would give 0 * Infinity = NaN in torch (undefined int8); it is
// written as zeros here, which dequantize to 0 all the same.
import { checkFinite } from './check-finite.js';
import { QuantError } from './errors.js';
import type { Int8RowwiseState, TorchDtypeName } from './types.js';

export interface QuantizeInt8Options {
  name?: string;
  dtype?: TorchDtypeName;
}

/** Quantizes a row-major [rows, cols] matrix to int8 with one absmax per row. */
export function quantizeInt8Rowwise(
  values: Float32Array,
  shape: readonly number[],
  options: QuantizeInt8Options = {},
): Int8RowwiseState {
  const name = options.name ?? 'tensor';
  if (shape.length !== 2) {
    throw new QuantError(
      'NOT_A_MATRIX',
      `row-wise int8 needs a 2-D tensor; "${name}" has shape [${shape.join(', ')}]`,
      { tensor: name, field: 'shape', limit: 2 },
    );
  }
  const [rows, cols] = shape;
  if (rows * cols !== values.length) {
    throw new QuantError('SHAPE_MISMATCH', `tensor "${name}" has ${values.length} values but shape [${rows}, ${cols}]`, {
      tensor: name,
      field: 'shape',
    });
  }
  const weight = new Int8Array(values.length);
  const scb = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = 0;
    // Math.max propagates NaN: one check per row finds non-finite weights.
    for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(values[base + c]));
    if (!(m < Infinity)) checkFinite(values, name, base, base + cols);
    scb[r] = m;
    if (m === 0) continue;
    const scale = Math.fround(Math.fround(1 / m) * 127);
    if (scale === Infinity) continue; // subnormal row absmax: torch gives NaN/inf, store zeros
    for (let c = 0; c < cols; c++) weight[base + c] = roundHalfEven(Math.fround(values[base + c] * scale));
  }
  return { quantType: 'int8', shape: [rows, cols], numel: values.length, dtype: options.dtype ?? 'float32', weight, scb };
}

// Adding and subtracting 1.5 * 2^52 rounds any |x| < 2^51 to an integer under the
// FPU's round-half-to-even mode: torch.round's rule, without a branch.
const ROUND_MAGIC = 6755399441055744;

function roundHalfEven(x: number): number {
  return x + ROUND_MAGIC - ROUND_MAGIC;
}
