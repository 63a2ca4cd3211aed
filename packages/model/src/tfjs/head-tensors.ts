// Final norm + lm_head (+ Gemma 2's final logit softcap); `headLogits` is
// differentiable in x so training can put its loss on it.
import * as tf from '@tensorflow/tfjs';
import type { FrozenWeight } from './frozen-weight.js';
import { rmsNorm } from './rms-norm.js';

export interface HeadTensors {
  /** [hidden], with the architecture's normWeightOffset already added. */
  readonly norm: tf.Tensor1D;
  /** hidden -> vocab */
  readonly weight: FrozenWeight;
}

/** c * tanh(logits / c) (final_logit_softcapping), or the logits unchanged when `cap` is null. */
export function softcapLogits(logits: tf.Tensor2D, cap: number | null): tf.Tensor2D {
  if (cap === null) return logits;
  return tf.tidy(() => tf.mul(tf.tanh(tf.div(logits, cap)), cap) as tf.Tensor2D);
}

/** logits [rows, vocab] of residual-stream states x(L) [rows, hidden] (before the final norm). */
export function headLogits(x: tf.Tensor2D, head: HeadTensors, eps: number, finalLogitSoftcap: number | null = null): tf.Tensor2D {
  return tf.tidy(() => softcapLogits(head.weight.apply(rmsNorm(x, head.norm, eps)), finalLogitSoftcap));
}
