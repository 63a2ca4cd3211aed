// Constants a block needs for one batch shape [B, T]: rotary tables, the
// rotate-half permutation as a matrix (a 2-D matMul is fast on every backend and
// has a trivial gradient, unlike slicing), and the additive causal mask laid
// out for grouped-query attention. Built once per shape and reused.
import * as tf from '@tensorflow/tfjs';
import type { TrainModelConfig } from './train-model-config.js';

export interface AttentionContext {
  readonly batch: number;
  readonly seqLen: number;
  /** [1, T, 1, d] */
  readonly cos: tf.Tensor4D;
  readonly sin: tf.Tensor4D;
  /** [d, d]: x @ rotate == cat(-x2, x1) */
  readonly rotate: tf.Tensor2D;
  /** [g*T, T]: 0 where key <= query, -1e9 after (g = heads per kv head) */
  readonly causalMask: tf.Tensor2D;
  dispose(): void;
}

export function createAttentionContext(config: TrainModelConfig, batch: number, seqLen: number): AttentionContext {
  const d = config.headDim;
  const half = d / 2;
  const factor = config.ropeScaling?.ropeType === 'linear' ? (config.ropeScaling.factor ?? 1) : 1;
  const cos = new Float32Array(seqLen * d);
  const sin = new Float32Array(seqLen * d);
  for (let t = 0; t < seqLen; t++) {
    for (let i = 0; i < half; i++) {
      // Computed in float64 then rounded, as HF computes inv_freq in float32 and
      // positions * inv_freq in float32; the difference is far below 1e-6 at these lengths.
      const invFreq = 1 / config.ropeTheta ** ((2 * i) / d);
      const angle = (t / factor) * invFreq;
      cos[t * d + i] = cos[t * d + i + half] = Math.cos(angle);
      sin[t * d + i] = sin[t * d + i + half] = Math.sin(angle);
    }
  }
  const rotate = new Float32Array(d * d);
  for (let j = 0; j < half; j++) {
    rotate[(j + half) * d + j] = -1;
    rotate[j * d + j + half] = 1;
  }
  const groups = config.numAttentionHeads / config.numKeyValueHeads;
  const mask = new Float32Array(groups * seqLen * seqLen);
  for (let g = 0; g < groups; g++) {
    for (let q = 0; q < seqLen; q++) {
      const row = (g * seqLen + q) * seqLen;
      for (let k = q + 1; k < seqLen; k++) mask[row + k] = -1e9;
    }
  }
  const ctx = {
    batch,
    seqLen,
    cos: tf.tensor4d(cos, [1, seqLen, 1, d]),
    sin: tf.tensor4d(sin, [1, seqLen, 1, d]),
    rotate: tf.tensor2d(rotate, [d, d]),
    causalMask: tf.tensor2d(mask, [groups * seqLen, seqLen]),
    dispose() {
      ctx.cos.dispose();
      ctx.sin.dispose();
      ctx.rotate.dispose();
      ctx.causalMask.dispose();
    },
  };
  return ctx;
}
