// A 2-D matmul whose backward pass uses explicit transposes. On the wasm backend
// only plain `matMul(a, b)` is fast (~25-30 GFLOP/s); tfjs' built-in gradient
// uses transposeA/transposeB, which runs at 1-3 GFLOP/s there. For products of
// two activations (attention) and of activations with trainable parameters
// (LoRA); frozen weights use FrozenWeight.
import * as tf from '@tensorflow/tfjs';

type GradArgs = (tf.Tensor | tf.GradSaveFunc)[];

const matMulWithTransposedGrads = tf.customGrad((...args: GradArgs) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(savedB)), tf.matMul(tf.transpose(savedA), dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** a [m, k] @ b [k, n], differentiable in both inputs with wasm-friendly gradients. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulWithTransposedGrads(a, b);
}
