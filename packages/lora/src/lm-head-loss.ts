// Final RMSNorm + output head + next-token cross-entropy, with a hand-written
// gradient for the head product: d logits = w * (softmax - onehot), then
// dL/dh = dlogits @ head (a plain matMul with the [V, H] head), so the [N, V]
// logits never go through generic autodiff.
import * as tf from '@tensorflow/tfjs';
import { rmsNorm } from '@layerprune/model/tfjs';

export interface HeadTensors {
  /** [V, H] */
  readonly head: tf.Tensor2D;
  /** [H, V] */
  readonly headT: tf.Tensor2D;
  readonly finalNorm: tf.Tensor1D;
  dispose(): void;
}

export function createHeadTensors(head: Float32Array, finalNorm: Float32Array, vocab: number, hidden: number): HeadTensors {
  const h = tf.tensor2d(head, [vocab, hidden]);
  const ht = tf.transpose(h);
  const n = tf.tensor1d(finalNorm);
  return {
    head: h,
    headT: ht,
    finalNorm: n,
    dispose() {
      h.dispose();
      ht.dispose();
      n.dispose();
    },
  };
}

/**
 * Weighted sum over positions of -log p(target): `targets` [N] int32,
 * `weights` [N] (1/count for positions that have a target, 0 for the rest).
 */
export function headLoss(x: tf.Tensor2D, head: HeadTensors, targets: tf.Tensor1D, weights: tf.Tensor1D, eps: number): tf.Scalar {
  const hn = rmsNorm(x, head.finalNorm, eps);
  const vocab = head.head.shape[0];
  const crossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const logits = tf.matMul(input as tf.Tensor2D, head.headT);
    const oneHot = tf.oneHot(targets, vocab);
    const lse = tf.logSumExp(logits, 1);
    const target = tf.sum(tf.mul(logits, oneHot), 1);
    const value = tf.sum(tf.mul(tf.sub(lse, target), weights)) as tf.Scalar;
    // Intermediates of a customGrad forward are disposed unless saved.
    save([logits, lse, oneHot]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [logits, lse, oneHot] = saved;
        const probs = tf.exp(tf.sub(logits, tf.expandDims(lse, 1)));
        const dLogits = tf.mul(tf.sub(probs, oneHot), tf.mul(tf.expandDims(weights, 1), dy));
        return tf.matMul(dLogits as tf.Tensor2D, head.head);
      },
    };
  });
  return crossEntropy(hn) as tf.Scalar;
}
