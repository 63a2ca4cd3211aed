// A uniform grid over the scaled value that replaces the kernels' 4-level
// decision tree by one table read and one comparison, with the same result.
//
// Why it is exact: cell(u) = trunc(u * scale + bias) is monotone in u. For an x in
// cell k, every threshold t whose cell is below k satisfies t < x, every threshold
// whose cell is above k satisfies t > x, and the (at most one) threshold inside
// cell k is compared explicitly. The grid is fine enough that no cell holds two
// thresholds; that is asserted when the table is built.
import { FP4_MAGNITUDE_THRESHOLDS, NF4_THRESHOLDS, type FourBitType } from './code-tables.js';

/** Cells of each grid over its unit range ([-1, 1] for NF4, |x| in [0, 1] for FP4). */
export const GRID_CELLS = 2048;
/**
 * Extra cells past the end: a scaled value is at most 1 + a few float32 ulps
 * (|v| <= absmax, x = v * float32(1/absmax)), which lands in cell 2048 at most.
 * Padding instead of clamping keeps a branch out of the hot loop.
 */
const GRID_PAD = 8;

export interface CodeGrid {
  /** Threshold inside each cell, +Infinity where there is none. */
  readonly threshold: Float32Array;
  /** Number of thresholds in lower cells: the region index of the cell's low part. */
  readonly region: Uint8Array;
}

/** NF4 cell of x (x in about [-1, 1]); the quantize loop inlines the same expression. */
export function nf4Cell(x: number): number {
  return ((x + 1) * 1024) | 0;
}

/** FP4 cell of a = |x| (a in about [0, 1]); the quantize loop inlines the same expression. */
export function fp4Cell(a: number): number {
  return (a * 2048) | 0;
}

function buildGrid(thresholds: Float32Array, cellOf: (u: number) => number): CodeGrid {
  const size = GRID_CELLS + GRID_PAD;
  const threshold = new Float32Array(size).fill(Infinity);
  const region = new Uint8Array(size);
  const cells = Array.from(thresholds, (t) => cellOf(t));
  for (let i = 1; i < cells.length; i++) {
    if (cells[i] <= cells[i - 1]) throw new Error(`code grid too coarse: thresholds ${i - 1} and ${i} share a cell`);
  }
  if (cells[0] === 0 || cells[cells.length - 1] >= GRID_CELLS - 1) {
    // Values just outside the unit range land in the edge cells, which must hold no threshold.
    throw new Error('code grid edge cell holds a threshold');
  }
  for (let k = 0; k < size; k++) {
    region[k] = cells.filter((c) => c < k).length;
    const inside = cells.indexOf(k);
    if (inside >= 0) threshold[k] = thresholds[inside];
  }
  return { threshold, region };
}

const grids: Partial<Record<FourBitType, CodeGrid>> = {};

/**
 * The grid of a 4-bit type (built once). For NF4 the region index is the code;
 * for FP4 it indexes FP4_REGION_CODES and the sign bit is added separately.
 */
export function codeGridOf(type: FourBitType): CodeGrid {
  let grid = grids[type];
  if (!grid) {
    grid = type === 'nf4' ? buildGrid(NF4_THRESHOLDS, nf4Cell) : buildGrid(FP4_MAGNITUDE_THRESHOLDS, fp4Cell);
    grids[type] = grid;
  }
  return grid;
}
