// One Llama-family decoder block in tfjs, differentiable in its input and in
// the LoRA matrices: RMSNorm -> attention (rotary, grouped-query, causal) ->
// residual -> RMSNorm -> SwiGLU MLP -> residual. Activations are 2-D [B*T, H]
// between products so every large product is a plain 2-D matMul.
import * as tf from '@tensorflow/tfjs';
import type { AttentionContext } from './attention-context.js';
import type { BlockTensors } from './block-tensors.js';
import { frozenLinear } from './frozen-linear.js';
import { loraDelta, type LoraDeltaTensors } from './lora-delta.js';
import type { LinearModuleName } from './target-modules.js';
import type { TrainModelConfig } from './train-model-config.js';

/** The adapter of one module inside a taped function (see loraDelta). */
export type AdapterTensors = LoraDeltaTensors;

export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as tf.Tensor2D;
}

export function blockForward(
  x: tf.Tensor2D,
  block: BlockTensors,
  adapters: Partial<Record<LinearModuleName, AdapterTensors>>,
  scaling: number,
  config: TrainModelConfig,
  ctx: AttentionContext,
): tf.Tensor2D {
  const linear = (input: tf.Tensor2D, m: LinearModuleName): tf.Tensor2D => {
    const y = frozenLinear(input, block.linears[m]);
    const adapter = adapters[m];
    if (!adapter) return y;
    // PEFT: result + lora_B(lora_A(dropout(x))) * scaling
    return tf.add(y, loraDelta(input, adapter, scaling)) as tf.Tensor2D;
  };
  const { batch: b, seqLen: t } = ctx;
  const nh = config.numAttentionHeads;
  const nkv = config.numKeyValueHeads;
  const d = config.headDim;
  const g = nh / nkv;

  const xn = rmsNorm(x, block.inputNorm, config.rmsNormEps);
  const rope = (flat: tf.Tensor2D, heads: number): tf.Tensor4D => {
    const x4 = tf.reshape(flat, [b, t, heads, d]) as tf.Tensor4D;
    const rotated = tf.reshape(tf.matMul(tf.reshape(flat, [b * t * heads, d]) as tf.Tensor2D, ctx.rotate), [b, t, heads, d]);
    return tf.add(tf.mul(x4, ctx.cos), tf.mul(rotated, ctx.sin)) as tf.Tensor4D;
  };
  const q = tf.transpose(rope(linear(xn, 'q_proj'), nh), [0, 2, 1, 3]); // [B, nh, T, d]
  const k = tf.transpose(rope(linear(xn, 'k_proj'), nkv), [0, 2, 1, 3]); // [B, nkv, T, d]
  const v = tf.transpose(tf.reshape(linear(xn, 'v_proj'), [b, t, nkv, d]), [0, 2, 1, 3]);
  // Query heads kv*g .. kv*g+g-1 share kv head kv (HF repeat_kv): fold them into rows.
  const qg = tf.reshape(q, [b, nkv, g * t, d]);
  const scores = tf.add(tf.mul(tf.matMul(qg, k, false, true), 1 / Math.sqrt(d)), ctx.causalMask);
  const probs = tf.softmax(scores);
  const attn = tf.reshape(tf.matMul(probs, v), [b, nh, t, d]);
  const merged = tf.reshape(tf.transpose(attn, [0, 2, 1, 3]), [b * t, nh * d]) as tf.Tensor2D;
  const h = tf.add(x, linear(merged, 'o_proj')) as tf.Tensor2D;

  const hn = rmsNorm(h, block.postNorm, config.rmsNormEps);
  const gate = linear(hn, 'gate_proj');
  const up = linear(hn, 'up_proj');
  const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
  return tf.add(h, linear(act, 'down_proj')) as tf.Tensor2D;
}
