// 2-D matmuls whose backward pass uses explicit transposes. On the wasm backend
// only plain `matMul(a, b)` is fast (~25-30 GFLOP/s); tfjs' built-in gradient
// uses transposeA/transposeB, which runs at 1-3 GFLOP/s there.
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

/**
 * x [rows, in] @ w [in, out] for a FROZEN weight: differentiable in x only,
 * dx = dy @ wT. `transposed` supplies w's [out, in] transpose when the backward
 * pass needs it (callers cache it per materialised block).
 */
export function frozenLinear(x: tf.Tensor2D, w: tf.Tensor2D, transposed: () => tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: GradArgs) => ({
    value: tf.matMul(args[0] as tf.Tensor2D, w),
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, transposed()),
  })) as (input: tf.Tensor2D) => tf.Tensor2D;
  return op(x);
}
