// One block's weights as backend tensors, created from a provider's plain
// arrays in the layout the engine's mode wants (see FrozenWeight).
import type { ArchitectureConfig } from '@layerprune/architectures';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_MODULES, linearShape } from '../weights/block-weights.js';
import type { BlockWeights, LinearModule } from '../weights/block-weights.js';
import { FrozenWeight } from './frozen-weight.js';
import type { WeightLayout } from './frozen-weight.js';

export interface BlockTensors {
  readonly inputLayernorm: tf.Tensor1D;
  readonly postAttentionLayernorm: tf.Tensor1D;
  readonly linear: Readonly<Record<LinearModule, FrozenWeight>>;
  readonly bias: Readonly<Partial<Record<LinearModule, tf.Tensor1D>>>;
  /** [headDim] per-head query / key RMSNorm weights (qwen3), absent for models without them. */
  readonly qNorm?: tf.Tensor1D;
  readonly kNorm?: tf.Tensor1D;
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

/** 'in-out' for weights that stay on the backend (resident), 'out-in' for weights made per pass (streaming). */
export function materializeBlock(config: ArchitectureConfig, weights: BlockWeights, layout: WeightLayout): BlockTensors {
  const hidden = config.hiddenSize;
  const linear = {} as Record<LinearModule, FrozenWeight>;
  const bias: Partial<Record<LinearModule, tf.Tensor1D>> = {};
  for (const module of LINEAR_MODULES) {
    const [inFeatures, outFeatures] = linearShape(config, module);
    linear[module] = FrozenWeight.fromOutIn(weights.linear[module], outFeatures, inFeatures, layout);
    const b = weights.bias[module];
    if (b) bias[module] = tf.keep(tensorFromArray(b, [b.length]) as tf.Tensor1D);
  }
  const inputLayernorm = tf.keep(tensorFromArray(weights.inputLayernorm, [hidden]) as tf.Tensor1D);
  const postAttentionLayernorm = tf.keep(tensorFromArray(weights.postAttentionLayernorm, [hidden]) as tf.Tensor1D);
  const qNorm = weights.qNorm ? (tf.keep(tensorFromArray(weights.qNorm, [weights.qNorm.length])) as tf.Tensor1D) : undefined;
  const kNorm = weights.kNorm ? (tf.keep(tensorFromArray(weights.kNorm, [weights.kNorm.length])) as tf.Tensor1D) : undefined;
  return {
    inputLayernorm,
    postAttentionLayernorm,
    linear,
    bias,
    ...(qNorm ? { qNorm } : {}),
    ...(kNorm ? { kNorm } : {}),
    dispose() {
      inputLayernorm.dispose();
      postAttentionLayernorm.dispose();
      qNorm?.dispose();
      kNorm?.dispose();
      for (const w of Object.values(linear)) w.dispose();
      for (const t of Object.values(bias)) t?.dispose();
    },
  };
}
