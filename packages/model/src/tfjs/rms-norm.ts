// LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * weight, over the last axis of a 2-D activation.
import * as tf from '@tensorflow/tfjs';

export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight) as tf.Tensor2D;
  });
}

/** RMSNorm of every head vector of x [rows, heads * headDim] with one [headDim] weight (qwen3's q_norm / k_norm). */
export function headRmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, headDim: number, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, width] = x.shape;
    const perHead = tf.reshape(x, [(rows * width) / headDim, headDim]) as tf.Tensor2D;
    return tf.reshape(rmsNorm(perHead, weight, eps), [rows, width]) as tf.Tensor2D;
  });
}
