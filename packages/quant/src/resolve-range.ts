import { QuantError } from './errors.js';

/**
 * Turns an optional half-open row range of the first dimension into a flat
 * element range, and checks it; also checks the output buffer, which is returned
 * as a view of exactly the needed length (or freshly allocated when absent).
 */
export function resolveRange(
  shape: readonly number[],
  numel: number,
  rows: readonly [number, number] | undefined,
  out: Float32Array | undefined,
  tensor = 'tensor',
): { start: number; end: number; out: Float32Array } {
  let start = 0;
  let end = numel;
  if (rows) {
    const rowCount = shape.length === 0 ? 1 : shape[0];
    const rowLength = rowCount === 0 ? 0 : numel / rowCount;
    const [r0, r1] = rows;
    if (!Number.isInteger(r0) || !Number.isInteger(r1) || r0 < 0 || r1 < r0 || r1 > rowCount) {
      throw new QuantError(
        'RANGE_OUT_OF_BOUNDS',
        `row range [${r0}, ${r1}) is outside tensor "${tensor}" with ${rowCount} rows`,
        { tensor, field: 'rows', limit: rowCount },
      );
    }
    start = r0 * rowLength;
    end = r1 * rowLength;
  }
  const length = end - start;
  if (out && out.length < length) {
    throw new QuantError(
      'OUTPUT_TOO_SMALL',
      `output buffer of ${out.length} floats is too small for ${length} values of tensor "${tensor}"`,
      { tensor, field: 'out', limit: length },
    );
  }
  return { start, end, out: out ? out.subarray(0, length) : new Float32Array(length) };
}
