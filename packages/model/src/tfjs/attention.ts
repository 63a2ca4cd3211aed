// Causal grouped-query attention core on 2-D activations. For each (sequence,
// kv-head) pair the queries of its whole head group are rows of ONE plain 2-D
// matmul against the pre-transposed keys, [T*rep, hd] @ [hd, Tk]; batched
// (rank-3) matmul and transposeB run at 1-3 GFLOP/s on wasm, plain 2-D at 25-30.
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from './mat-mul.js';
import { stackRows, unstackRows } from './split-rows.js';

export interface AttentionShape {
  batch: number;
  queryLength: number;
  keyLength: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Gemma 2's attn_logit_softcapping c: scaled scores become c * tanh(scores / c) before the mask. */
  softcap?: number | null;
}

/**
 * q [B*Tq, nH*hd] (rotated, already multiplied by the attention scale), k and v [B*Tk, nKV*hd];
 * `mask` [Tq, 1, Tk] additive (0 or a large negative), broadcast over the heads of a group.
 * Returns [B*Tq, nH*hd].
 */
export function attentionCore(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, mask: tf.Tensor3D, shape: AttentionShape): tf.Tensor2D {
  return tf.tidy(() => {
    const { batch, queryLength: tq, keyLength: tk, numHeads, numKvHeads, headDim, softcap } = shape;
    const rep = numHeads / numKvHeads;
    const pairs = batch * numKvHeads;
    // [B, Tq, nKV, rep*hd] -> [B, nKV, Tq, rep*hd] -> per pair [Tq*rep, hd]
    const qGroups = tf.reshape(tf.transpose(tf.reshape(q, [batch, tq, numKvHeads, rep * headDim]), [0, 2, 1, 3]), [pairs, tq * rep, headDim]);
    // [B, Tk, nKV, hd] -> [B, nKV, hd, Tk] -> per pair [hd, Tk]
    const kT = tf.reshape(tf.transpose(tf.reshape(k, [batch, tk, numKvHeads, headDim]), [0, 2, 3, 1]), [pairs, headDim, tk]);
    // [B, Tk, nKV, hd] -> [B, nKV, Tk, hd] -> per pair [Tk, hd]
    const vGroups = tf.reshape(tf.transpose(tf.reshape(v, [batch, tk, numKvHeads, headDim]), [0, 2, 1, 3]), [pairs, tk, headDim]);
    const qs = unstackRows(qGroups) as tf.Tensor2D[];
    const ks = unstackRows(kT) as tf.Tensor2D[];
    const vs = unstackRows(vGroups) as tf.Tensor2D[];
    const outs: tf.Tensor2D[] = [];
    for (let i = 0; i < pairs; i++) {
      // Rows of a pair are (query, head-in-group): view them as [Tq, rep, Tk] to broadcast the mask.
      let raw: tf.Tensor = tf.reshape(matMul2d(qs[i], ks[i]), [tq, rep, tk]);
      // The cap bounds the scaled scores; the mask is added after it, as in Gemma2's eager attention.
      if (softcap) raw = tf.mul(tf.tanh(tf.div(raw, softcap)), softcap);
      const scores = tf.add(raw, mask);
      outs.push(matMul2d(tf.reshape(tf.softmax(scores), [tq * rep, tk]) as tf.Tensor2D, vs[i]));
    }
    // [pairs, Tq*rep, hd] -> [B, nKV, Tq, rep*hd] -> [B, Tq, nKV, rep*hd] -> [B*Tq, nH*hd]
    const stacked = tf.reshape(stackRows(outs), [batch, numKvHeads, tq, rep * headDim]);
    return tf.reshape(tf.transpose(stacked, [0, 2, 1, 3]), [batch * tq, numHeads * headDim]) as tf.Tensor2D;
  });
}

export { MASKED_SCORE, causalMaskValues } from '../attention/causal-mask.js';
