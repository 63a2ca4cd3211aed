// Final RMSNorm + output head (+ Gemma 2's final logit softcap) + next-token
// cross-entropy, with a hand-written gradient for the head product:
// d logits = w * (softmax - onehot) (times 1 - tanh^2 through a softcap), then
// dL/dh = dlogits @ head (a plain matMul with the [V, H] head), so the [N, V]
// logits never go through generic autodiff.
import * as tf from '@tensorflow/tfjs';
import { normTensor, rmsNorm } from '@layerprune/model/tfjs';

export interface HeadTensors {
  /** [V, H] */
  readonly head: tf.Tensor2D;
  /** [H, V] */
  readonly headT: tf.Tensor2D;
  readonly finalNorm: tf.Tensor1D;
  dispose(): void;
}

/** `normOffset`: the Architecture's normWeightOffset (Gemma's (1 + w) final norm), added as the runtime does. */
export function createHeadTensors(head: Float32Array, finalNorm: Float32Array, vocab: number, hidden: number, normOffset = 0): HeadTensors {
  const h = tf.tensor2d(head, [vocab, hidden]);
  const ht = tf.transpose(h);
  const n = normTensor(finalNorm, normOffset);
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
 * `weights` [N] (1/count for positions that have a target, 0 for the rest);
 * `softcap` c turns the logits into c * tanh(logits / c) first (null: none).
 */
export function headLoss(x: tf.Tensor2D, head: HeadTensors, targets: tf.Tensor1D, weights: tf.Tensor1D, eps: number, softcap: number | null = null): tf.Scalar {
  const hn = rmsNorm(x, head.finalNorm, eps);
  const vocab = head.head.shape[0];
  const crossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const raw = tf.matMul(input as tf.Tensor2D, head.headT);
    const logits = softcap === null ? raw : tf.mul(tf.tanh(tf.div(raw, softcap)), softcap);
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
        const dCapped = tf.mul(tf.sub(probs, oneHot), tf.mul(tf.expandDims(weights, 1), dy));
        // d(c tanh(z / c))/dz = 1 - tanh^2, and tanh = capped logits / c.
        const dLogits = softcap === null ? dCapped : tf.mul(dCapped, tf.sub(1, tf.square(tf.div(logits, softcap))));
        return tf.matMul(dLogits as tf.Tensor2D, head.head);
      },
    };
  });
  return crossEntropy(hn) as tf.Scalar;
}
