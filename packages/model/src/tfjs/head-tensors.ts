// Final norm + lm_head. The head weight is [hidden, vocab] (pre-transposed);
// `logits` is differentiable in x so training can put its loss on it.
import * as tf from '@tensorflow/tfjs';
import { frozenLinear } from './mat-mul.js';
import { rmsNorm } from './rms-norm.js';

export interface HeadTensors {
  /** [hidden] */
  readonly norm: tf.Tensor1D;
  /** [hidden, vocab] */
  readonly weight: tf.Tensor2D;
  /** [vocab, hidden], made on first use (backward) and owned by the head. */
  transposed(): tf.Tensor2D;
}

/** logits [rows, vocab] of residual-stream states x(L) [rows, hidden] (before the final norm). */
export function headLogits(x: tf.Tensor2D, head: HeadTensors, eps: number): tf.Tensor2D {
  return tf.tidy(() => frozenLinear(rmsNorm(x, head.norm, eps), head.weight, () => head.transposed()));
}

export function makeHeadTensors(norm: tf.Tensor1D, weight: tf.Tensor2D): HeadTensors & { dispose(): void; disposeWeight(): void } {
  let transposed: tf.Tensor2D | null = null;
  return {
    norm,
    weight,
    transposed() {
      transposed ??= tf.keep(tf.transpose(weight));
      return transposed;
    },
    /** Releases the [hidden, vocab] weight and its transpose, keeping the shared norm. */
    disposeWeight() {
      weight.dispose();
      transposed?.dispose();
      transposed = null;
    },
    dispose() {
      this.disposeWeight();
      norm.dispose();
    },
  };
}
