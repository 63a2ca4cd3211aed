// Dropout masks for the adapter inputs of one block, regenerated from a saved
// 4-word generator state so that the recomputed forward in the backward pass
// sees exactly the masks of the first forward (nothing is stored meanwhile).
import * as tf from '@tensorflow/tfjs';
import { SeededRng, type RngState } from '@layerprune/data';

/** Inverted dropout: 0 with probability p, else 1/(1-p) (torch.nn.Dropout). */
export function dropoutMask(rng: SeededRng, rows: number, cols: number, p: number): tf.Tensor2D {
  const values = new Float32Array(rows * cols);
  const keep = 1 / (1 - p);
  for (let i = 0; i < values.length; i++) values[i] = rng.nextFloat() < p ? 0 : keep;
  return tf.tensor2d(values, [rows, cols]);
}

/** Masks for `modules` (in order) from `state`; one generator per block. */
export function blockDropoutMasks(state: RngState, rows: number, modules: { name: string; inFeatures: number }[], p: number): Map<string, tf.Tensor2D> {
  const rng = new SeededRng(state);
  const masks = new Map<string, tf.Tensor2D>();
  for (const m of modules) masks.set(m.name, dropoutMask(rng, rows, m.inFeatures, p));
  return masks;
}
