// `@layerprune/model/tfjs`: the TensorFlow.js engine internals (tf.Tensor in,
// tf.Tensor out) for packages that build on the tfjs forward pass, such as
// @layerprune/lora's training loop. The main entry (`@layerprune/model`) takes
// and returns plain typed arrays only.
export { TfjsEngine } from './tfjs-engine.js';
export type { AcquiredBlock, AcquiredHead, TfjsEngineOptions } from './tfjs-engine.js';
export { blockForward } from './block.js';
export type { BlockCallOptions, KvEntry } from './block.js';
export { createBlockContext } from './block-context.js';
export type { BlockContext, BlockContextShape, LayerRope } from './block-context.js';
export { materializeBlock, normTensor } from './block-tensors.js';
export type { BlockTensors } from './block-tensors.js';
export type { HeadTensors } from './head-tensors.js';
export { softcapLogits } from './head-tensors.js';
export type { LinearDeltaHook } from './linear-delta.js';
export { matMul2d } from './mat-mul.js';
export { FrozenWeight } from './frozen-weight.js';
export type { WeightLayout } from './frozen-weight.js';
export { headRmsNorm, rmsNorm } from './rms-norm.js';
export { unstackRows, stackRows } from './split-rows.js';
