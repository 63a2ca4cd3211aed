// One Llama decoder block on 2-D activations [batch * tokens, hidden]:
//   h = x + o_proj(attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))
//   out = h + mlp(n2(h))
// Qwen3 and Gemma 3 add a per-head RMSNorm of q and k (weights [headDim]) between
// the projection and rope: rope(qn(q(n1(x)))), rope(kn(k(n1(x)))).
// Gemma (sandwichNorms) also normalises each sublayer's output before its residual add:
//   h = x + n2(o_proj(attention(...)))
//   out = h + n4(mlp(n3(h)))
// with n2 = post_attention_layernorm, n3 = pre_ / n4 = post_feedforward_layernorm.
// Norm weights arrive with normWeightOffset already added (materializeBlock).
// A pure tensor function of (weights, x, context): differentiable in x and in
// whatever the linear-delta hook injects, so training can run it block by block.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../config/resolve-architecture.js';
import type { LinearModule } from '../weights/block-weights.js';
import { attentionCore } from './attention.js';
import type { BlockContext } from './block-context.js';
import type { BlockTensors } from './block-tensors.js';
import type { LinearDeltaHook } from './linear-delta.js';
import { mlp } from './mlp.js';
import { headRmsNorm, rmsNorm } from './rms-norm.js';
import { applyRope } from './rope.js';

/** Keys and values of the positions seen so far, [pastLength, nKV * headDim] each (rotary applied to keys). */
export interface KvEntry {
  keys: tf.Tensor2D;
  values: tf.Tensor2D;
}

export interface BlockCallOptions {
  /** Block index as numbered in the checkpoint: selects the sliding window and is passed to the hook. */
  layer: number;
  linearDelta?: LinearDeltaHook;
  /** Decoding with a KV cache (batch 1): the cache before this call, or null at the start. */
  past?: KvEntry | null;
  /** Receives keys and values including this call's tokens (tensors owned by the caller's scope). */
  onPresent?: (present: KvEntry) => void;
}

export function blockForward(arch: Architecture, w: BlockTensors, x: tf.Tensor2D, ctx: BlockContext, options: BlockCallOptions): tf.Tensor2D {
  const { layer, linearDelta } = options;
  const project = (input: tf.Tensor2D, module: LinearModule): tf.Tensor2D => {
    let out = w.linear[module].apply(input);
    const bias = w.bias[module];
    if (bias) out = tf.add(out, bias);
    const delta = linearDelta?.(layer, module, input);
    if (delta) out = tf.add(out, delta);
    return out;
  };
  const headNorm = (input: tf.Tensor2D, weight: tf.Tensor1D | undefined, which: string): tf.Tensor2D => {
    if (!arch.qkNorm) return input;
    if (!weight) throw new Error(`internal: block ${layer} has no ${which} weight although the architecture has q/k norms`);
    return headRmsNorm(input, weight, arch.headDim, arch.rmsNormEps);
  };
  return tf.tidy(() => {
    const normed = rmsNorm(x, w.inputLayernorm, arch.rmsNormEps);
    const rope = ctx.rope(layer);
    const q = applyRope(headNorm(project(normed, 'q_proj'), w.qNorm, 'q_norm'), arch.headDim, rope.query);
    let keys = applyRope(headNorm(project(normed, 'k_proj'), w.kNorm, 'k_norm'), arch.headDim, rope.key);
    let values = project(normed, 'v_proj');
    if (options.past) {
      keys = tf.concat([options.past.keys, keys], 0);
      values = tf.concat([options.past.values, values], 0);
    }
    options.onPresent?.({ keys, values });
    const attended = attentionCore(q, keys, values, ctx.mask(layer), {
      batch: ctx.batch,
      queryLength: ctx.queryLength,
      keyLength: ctx.keyLength,
      numHeads: arch.numHeads,
      numKvHeads: arch.numKvHeads,
      headDim: arch.headDim,
      softcap: arch.attnLogitSoftcap,
    });
    const norm = (input: tf.Tensor2D, weight: tf.Tensor1D | undefined, which: string): tf.Tensor2D => {
      if (!weight) throw new Error(`internal: block ${layer} has no ${which} weight although the architecture has sandwich norms`);
      return rmsNorm(input, weight, arch.rmsNormEps);
    };
    if (!arch.sandwichNorms) {
      const h = tf.add(x, project(attended, 'o_proj')) as tf.Tensor2D;
      return tf.add(h, mlp(rmsNorm(h, w.postAttentionLayernorm, arch.rmsNormEps), project, arch.activation)) as tf.Tensor2D;
    }
    const h = tf.add(x, norm(project(attended, 'o_proj'), w.postAttentionLayernorm, 'post_attention_layernorm')) as tf.Tensor2D;
    const m = mlp(norm(h, w.preFeedforwardLayernorm, 'pre_feedforward_layernorm'), project, arch.activation);
    return tf.add(h, norm(m, w.postFeedforwardLayernorm, 'post_feedforward_layernorm')) as tf.Tensor2D;
  });
}
