// Cache-blocked transpose of a row-major [rows, cols] matrix into [cols, rows]:
// run once per tensor at load (or per block by a dequantizing provider).

const TILE = 32;

/** Writes the transpose of `src` ([rows, cols]) into `dst` ([cols, rows]); allocates `dst` when absent. */
export function transposeMatrix(src: Float32Array, rows: number, cols: number, dst?: Float32Array): Float32Array {
  const out = dst ?? new Float32Array(rows * cols);
  if (src.length !== rows * cols || out.length !== rows * cols) {
    throw new RangeError(`transposeMatrix: expected ${rows}x${cols} = ${rows * cols} values, got src ${src.length}, dst ${out.length}`);
  }
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const srcRow = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[srcRow + c];
      }
    }
  }
  return out;
}
