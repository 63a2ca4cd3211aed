// y = x @ W^T for a frozen weight, with a hand-written gradient. Both products
// are plain 2-D matMuls (no transpose flags): on the wasm backend transposeA/B
// run 10-20x slower than a plain matMul (stack-notes), so the block keeps W
// [out, in] for the backward product and W^T [in, out] for the forward one.
import * as tf from '@tensorflow/tfjs';

export interface FrozenWeight {
  /** [in, out]: used by the forward product. */
  readonly wt: tf.Tensor2D;
  /** [out, in]: used for dL/dx; null when no backward pass will run. */
  readonly w: tf.Tensor2D | null;
  readonly bias: tf.Tensor1D | null;
}

export function frozenLinear(x: tf.Tensor2D, weight: FrozenWeight): tf.Tensor2D {
  const w = weight.w;
  const apply = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const value = tf.matMul(args[0] as tf.Tensor2D, weight.wt);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        if (!w) throw new Error('frozenLinear: backward requested for a forward-only weight');
        return tf.matMul(dy as tf.Tensor2D, w);
      },
    };
  });
  const y = apply(x) as tf.Tensor2D;
  return weight.bias ? tf.add(y, weight.bias) : y;
}
