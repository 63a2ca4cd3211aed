// Final norm + lm_head; `headLogits` is differentiable in x so training can put
// its loss on it.
import * as tf from '@tensorflow/tfjs';
import type { FrozenWeight } from './frozen-weight.js';
import { rmsNorm } from './rms-norm.js';

export interface HeadTensors {
  /** [hidden] */
  readonly norm: tf.Tensor1D;
  /** hidden -> vocab */
  readonly weight: FrozenWeight;
}

/** logits [rows, vocab] of residual-stream states x(L) [rows, hidden] (before the final norm). */
export function headLogits(x: tf.Tensor2D, head: HeadTensors, eps: number): tf.Tensor2D {
  return tf.tidy(() => head.weight.apply(rmsNorm(x, head.norm, eps)));
}
