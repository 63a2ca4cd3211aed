// The training hook: a function that may add a differentiable term to the
// output of any linear module of any block (LoRA: scale * dropout(x) @ A^T @ B^T).
import type * as tf from '@tensorflow/tfjs';
import type { LinearModule } from '../weights/block-weights.js';

/**
 * Called with the block index (as numbered in the checkpoint), the module name and the
 * module's 2-D input [rows, inFeatures]; returns a [rows, outFeatures] tensor added to the
 * module's output (after its bias), or null for no change.
 */
export type LinearDeltaHook = (layer: number, module: LinearModule, input: tf.Tensor2D) => tf.Tensor2D | null;
