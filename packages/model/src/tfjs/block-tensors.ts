// One block's weights as backend tensors, created from a provider's plain
// arrays in the layout the engine's mode wants (see FrozenWeight).
import type { ArchitectureConfig } from '@layerprune/architectures';
import * as tf from '@tensorflow/tfjs';
import { linearShape } from '@layerprune/architectures';
import { LINEAR_MODULES } from '../weights/block-weights.js';
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
  /** [hidden] Gemma's MLP input and output norms (sandwich norms), absent otherwise. */
  readonly preFeedforwardLayernorm?: tf.Tensor1D;
  readonly postFeedforwardLayernorm?: tf.Tensor1D;
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

/**
 * An RMSNorm weight as the engine multiplies by it: offset + w (Gemma stores w and
 * scales by 1 + w, added in float32 as its RMSNorm does). The offset is applied
 * here, never in the weight readers, so tools that copy raw tensors see them as stored.
 */
export function normTensor(values: Float32Array, offset: number): tf.Tensor1D {
  const raw = tensorFromArray(values, [values.length]) as tf.Tensor1D;
  if (offset === 0) return tf.keep(raw);
  // tidy: the scalar would otherwise outlive a call made outside any scope.
  const shifted = tf.keep(tf.tidy(() => tf.add(raw, tf.scalar(offset, 'float32')) as tf.Tensor1D));
  raw.dispose();
  return shifted;
}

/** 'in-out' for weights that stay on the backend (resident), 'out-in' for weights made per pass (streaming). */
export function materializeBlock(config: ArchitectureConfig, weights: BlockWeights, layout: WeightLayout): BlockTensors {
  const hidden = config.hiddenSize;
  const linear = {} as Record<LinearModule, FrozenWeight>;
  const bias: Partial<Record<LinearModule, tf.Tensor1D>> = {};
  for (const module of LINEAR_MODULES) {
    const [outFeatures, inFeatures] = linearShape(config, module);
    linear[module] = FrozenWeight.fromOutIn(weights.linear[module], outFeatures, inFeatures, layout);
    const b = weights.bias[module];
    if (b) bias[module] = tf.keep(tensorFromArray(b, [b.length]) as tf.Tensor1D);
  }
  const offset = config.normWeightOffset;
  const optionalNorm = (values: Float32Array | undefined): tf.Tensor1D | undefined => (values ? normTensor(values, offset) : undefined);
  // normTensor takes its shape from the array: a wrong length would otherwise broadcast silently.
  const hiddenNorms = [weights.inputLayernorm, weights.postAttentionLayernorm, weights.preFeedforwardLayernorm, weights.postFeedforwardLayernorm];
  if (hiddenNorms.some((values) => values !== undefined && values.length !== hidden)) {
    throw new Error(`internal: block norm weights must have hidden_size ${hidden} values`);
  }
  const inputLayernorm = normTensor(weights.inputLayernorm, offset);
  const postAttentionLayernorm = normTensor(weights.postAttentionLayernorm, offset);
  const qNorm = optionalNorm(weights.qNorm);
  const kNorm = optionalNorm(weights.kNorm);
  const preFeedforwardLayernorm = optionalNorm(weights.preFeedforwardLayernorm);
  const postFeedforwardLayernorm = optionalNorm(weights.postFeedforwardLayernorm);
  return {
    inputLayernorm,
    postAttentionLayernorm,
    linear,
    bias,
    ...(qNorm ? { qNorm } : {}),
    ...(kNorm ? { kNorm } : {}),
    ...(preFeedforwardLayernorm ? { preFeedforwardLayernorm } : {}),
    ...(postFeedforwardLayernorm ? { postFeedforwardLayernorm } : {}),
    dispose() {
      inputLayernorm.dispose();
      postAttentionLayernorm.dispose();
      qNorm?.dispose();
      kNorm?.dispose();
      preFeedforwardLayernorm?.dispose();
      postFeedforwardLayernorm?.dispose();
      for (const w of Object.values(linear)) w.dispose();
      for (const t of Object.values(bias)) t?.dispose();
    },
  };
}
