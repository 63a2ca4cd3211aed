// Dropout masks of one block's adapter inputs as plain arrays, regenerated from
// a saved 4-word generator state: the recomputed forward of the backward pass
// sees exactly the masks of the first forward, and every engine draws the same
// masks from the same state (nothing is stored meanwhile).
import { fillDropoutMasks, type SeededRng, type RngState } from '@layerprune/data';

/** Inverted dropout, row-major [rows, cols]: 0 with probability p, else 1/(1-p) (torch.nn.Dropout). */
export function dropoutMaskValues(rng: SeededRng, rows: number, cols: number, p: number): Float32Array {
  const values = new Float32Array(rows * cols);
  rng.fillDropoutMask(values, p, 1 / (1 - p));
  return values;
}

/** Masks for `modules` (in order) from `state`; one generator per block. */
export function blockDropoutMaskValues(state: RngState, rows: number, modules: readonly { name: string; inFeatures: number }[], p: number): Map<string, Float32Array> {
  const values = modules.map((m) => new Float32Array(rows * m.inFeatures));
  fillDropoutMasks(state, p, values);
  return new Map(modules.map((m, i) => [m.name, values[i]]));
}
