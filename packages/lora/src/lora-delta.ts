// The adapter term scaling * (dropout(x) @ A^T) @ B^T with a hand-written
// gradient made only of plain 2-D matMuls (explicit tf.transpose instead of
// transposeA/B flags, which run 10-20x slower on the wasm backend).
import * as tf from '@tensorflow/tfjs';

export interface LoraDeltaTensors {
  /** A^T [in, r] and B^T [r, out]: the trainable inputs. */
  readonly at: tf.Tensor2D;
  readonly bt: tf.Tensor2D;
  /** A [r, in] and B [out, r]: the same values, for the backward products. */
  readonly a: tf.Tensor2D;
  readonly b: tf.Tensor2D;
  /** Dropout mask [N, in] already scaled by 1/(1-p); null without dropout. */
  readonly mask: tf.Tensor2D | null;
}

/** Returns the [N, out] delta; differentiable in x, at and bt. */
export function loraDelta(x: tf.Tensor2D, t: LoraDeltaTensors, scaling: number): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, at, bt] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    const xm = t.mask ? (tf.mul(input, t.mask) as tf.Tensor2D) : input;
    const h = tf.matMul(xm, at);
    const value = tf.mul(tf.matMul(h, bt), scaling);
    save([xm, h]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedXm, savedH] = saved as tf.Tensor2D[];
        const dys = tf.mul(dy, scaling) as tf.Tensor2D;
        const dBt = tf.matMul(tf.transpose(savedH), dys);
        const dH = tf.matMul(dys, t.b);
        const dAt = tf.matMul(tf.transpose(savedXm), dH);
        const dXm = tf.matMul(dH, t.a);
        const dx = t.mask ? tf.mul(dXm, t.mask) : dXm;
        return [dx, dAt, dBt];
      },
    };
  });
  return f(x, t.at, t.bt) as tf.Tensor2D;
}
