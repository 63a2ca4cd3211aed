import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.js';
import { quietLog } from '../testing/random-llama-model.js';
import { stackRows, unstackRows } from './split-rows.js';

describe('unstackRows / stackRows on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  it('split a tensor into first-axis slabs and stack them back', () => {
    const x = tf.tensor3d(Array.from({ length: 12 }, (_, i) => i), [3, 2, 2]);
    const parts = unstackRows(x);
    expect(parts.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [2, 2]]);
    expect(parts.map((p) => Array.from(p.dataSync()))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    const back = stackRows(parts);
    expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, back, ...parts]);
  });

  it('have each other as gradients, with zeros for unused slabs', () => {
    const x = tf.tensor3d(Array.from({ length: 12 }, (_, i) => i / 10), [3, 2, 2]);
    const grad = tf.grad((input: tf.Tensor) => {
      const [a, , c] = unstackRows(input);
      return tf.add(tf.sum(tf.mul(a, 2)), tf.sum(tf.square(c)));
    })(x);
    expect(Array.from(grad.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([2, 2, 2, 2, 0, 0, 0, 0, 1.6, 1.8, 2, 2.2]);
    const weights = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const g2 = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(stackRows([a, tf.mul(a, 3)]), tf.stack([weights, weights]))))(tf.zeros([2, 2]));
    expect(Array.from(g2.dataSync())).toEqual([4, 8, 12, 16]);
    tf.dispose([x, grad, weights, g2]);
  });
});
