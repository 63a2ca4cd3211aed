// One block's weights as backend tensors, created from a provider's plain
// arrays. Transposes for the backward pass ([out, in]) are made on first use
// and kept with the block, so a training step pays for each once.
import * as tf from '@tensorflow/tfjs';
import { LINEAR_MODULES } from '../weights/block-weights.js';
import type { BlockWeights, LinearModule } from '../weights/block-weights.js';
import { linearShape } from '../weights/block-weights.js';
import type { LlamaFamilyConfig } from '@layerprune/tensor-io';

export interface BlockTensors {
  readonly inputLayernorm: tf.Tensor1D;
  readonly postAttentionLayernorm: tf.Tensor1D;
  /** [in, out] */
  readonly linear: Readonly<Record<LinearModule, tf.Tensor2D>>;
  readonly bias: Readonly<Partial<Record<LinearModule, tf.Tensor1D>>>;
  /** [out, in], created on first call and owned by this object. */
  transposed(module: LinearModule): tf.Tensor2D;
  dispose(): void;
}

/**
 * Only the wasm backend copies a typed array into its own memory when a tensor
 * is made; cpu (and tfjs-node until first use) keep a reference, and providers
 * may reuse their buffers, so copy for those.
 */
export function tensorFromArray(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), shape, 'float32');
}

export function materializeBlock(config: LlamaFamilyConfig, weights: BlockWeights): BlockTensors {
  const hidden = config.hiddenSize;
  const linear = {} as Record<LinearModule, tf.Tensor2D>;
  const bias: Partial<Record<LinearModule, tf.Tensor1D>> = {};
  for (const module of LINEAR_MODULES) {
    linear[module] = tensorFromArray(weights.linear[module], linearShape(config, module)) as tf.Tensor2D;
    const b = weights.bias[module];
    if (b) bias[module] = tensorFromArray(b, [b.length]) as tf.Tensor1D;
  }
  const transposes = new Map<LinearModule, tf.Tensor2D>();
  const inputLayernorm = tensorFromArray(weights.inputLayernorm, [hidden]) as tf.Tensor1D;
  const postAttentionLayernorm = tensorFromArray(weights.postAttentionLayernorm, [hidden]) as tf.Tensor1D;
  return {
    inputLayernorm,
    postAttentionLayernorm,
    linear,
    bias,
    transposed(module) {
      let t = transposes.get(module);
      if (!t) {
        // Kept: this is first called inside a gradient's tidy scope.
        t = tf.keep(tf.transpose(linear[module]));
        transposes.set(module, t);
      }
      return t;
    },
    dispose() {
      inputLayernorm.dispose();
      postAttentionLayernorm.dispose();
      for (const t of Object.values(linear)) t.dispose();
      for (const t of Object.values(bias)) t?.dispose();
      for (const t of transposes.values()) t.dispose();
      transposes.clear();
    },
  };
}
