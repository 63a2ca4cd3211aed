// Rotate-half rotary embedding on 2-D activations [rows, heads * headDim]:
// x * cos + rotate_half(x) * sin. rotate_half(x) = cat(-x2, x1) is computed as a
// matmul with a fixed signed permutation [headDim, headDim]: that is a plain 2-D
// matmul (fast on wasm, differentiable) where slice + concat would copy the
// whole activation per slice on wasm. cos/sin are [1, T, 1, headDim] and
// broadcast over sequences and heads (as fast as same-shape ops on wasm, and
// T * headDim values instead of B * T * heads * headDim).
import * as tf from '@tensorflow/tfjs';
import type { FrozenWeight } from './frozen-weight.js';

/** R with x @ R = rotate_half(x): R[j + h][j] = -1 and R[j][j + h] = 1 for j < h = headDim / 2. */
export function rotateHalfMatrix(headDim: number): Float32Array {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < half; j++) {
    r[(j + half) * headDim + j] = -1;
    r[j * headDim + j + half] = 1;
  }
  return r;
}

export interface RopeOperands {
  /** [1, T, 1, headDim] for the T positions of every sequence (q's tables carry the attention scale). */
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  /** rotateHalfMatrix(headDim), [in, out]. */
  rotation: FrozenWeight;
}

/** x [B*T, heads*headDim] -> the same shape, rotated by position. */
export function applyRope(x: tf.Tensor2D, headDim: number, rope: RopeOperands): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, width] = x.shape;
    const positions = rope.cos.shape[1];
    const shape4d: [number, number, number, number] = [rows / positions, positions, width / headDim, headDim];
    const perHead = tf.reshape(x, [(rows * width) / headDim, headDim]) as tf.Tensor2D;
    const rotated = tf.reshape(rope.rotation.apply(perHead), shape4d);
    const rotatedX = tf.add(tf.mul(tf.reshape(x, shape4d), rope.cos), tf.mul(rotated, rope.sin));
    return tf.reshape(rotatedX, [rows, width]) as tf.Tensor2D;
  });
}
