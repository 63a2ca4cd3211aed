// LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * weight, over the last axis of a 2-D activation.
import * as tf from '@tensorflow/tfjs';

export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight) as tf.Tensor2D;
  });
}
