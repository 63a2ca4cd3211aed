// The tfjs form of the dropout masks (dropout-mask-values.ts draws them).
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '@layerprune/data';
import { blockDropoutMaskValues } from './dropout-mask-values.js';

/** Masks for `modules` (in order) from `state` as [rows, inFeatures] tensors (caller disposes). */
export function blockDropoutMasks(state: RngState, rows: number, modules: { name: string; inFeatures: number }[], p: number): Map<string, tf.Tensor2D> {
  const masks = new Map<string, tf.Tensor2D>();
  for (const [name, values] of blockDropoutMaskValues(state, rows, modules, p)) masks.set(name, tf.tensor2d(values, [rows, values.length / rows]));
  return masks;
}
