// A block's weights as onnxruntime input tensors. The tensors wrap the
// provider's Float32Arrays without copying (onnxruntime reads them in place), so
// a resident model holds each weight once, in the Hugging Face layout.
import type * as Ort from 'onnxruntime-node';
import { linearShape } from '@layerprune/model';
import type { Architecture, BlockWeights, PackedBlockWeights } from '@layerprune/model';
import { BLOCK_LINEAR_MODULES, biasModules } from './graph/block-graph.js';
import type { OrtModule } from './runtime/load-runtime.js';

export type BlockFeeds = Record<string, Ort.Tensor>;

/** Copies every array (for providers that refill their buffers). */
export function copyBlockWeights(w: BlockWeights): BlockWeights {
  const linear = Object.fromEntries(Object.entries(w.linear).map(([m, a]) => [m, a.slice()])) as BlockWeights['linear'];
  const bias = Object.fromEntries(Object.entries(w.bias).map(([m, a]) => [m, a.slice()])) as BlockWeights['bias'];
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias };
}

export function blockFeeds(ort: OrtModule, arch: Architecture, w: BlockWeights): BlockFeeds {
  const H = arch.hiddenSize;
  const feeds: BlockFeeds = {
    ln1: new ort.Tensor('float32', w.inputLayernorm, [H]),
    ln2: new ort.Tensor('float32', w.postAttentionLayernorm, [H]),
  };
  for (const module of BLOCK_LINEAR_MODULES) {
    const [inFeatures, outFeatures] = linearShape(arch.config, module);
    feeds[module] = new ort.Tensor('float32', w.linear[module], [outFeatures, inFeatures]);
  }
  for (const module of biasModules(arch)) {
    const bias = w.bias[module];
    if (!bias) throw new Error(`internal: block weights lack ${module} bias although the architecture has one`);
    feeds[`${module}_bias`] = new ort.Tensor('float32', bias, [bias.length]);
  }
  return feeds;
}

/** Copies every array of a 4-bit block (for providers that refill their buffers). */
export function copyPackedBlockWeights(w: PackedBlockWeights): PackedBlockWeights {
  const linear = Object.fromEntries(Object.entries(w.linear).map(([m, l]) => [m, { ...l, packed: l.packed.slice(), absmax: l.absmax.slice() }])) as PackedBlockWeights['linear'];
  const bias = Object.fromEntries(Object.entries(w.bias).map(([m, a]) => [m, a.slice()])) as PackedBlockWeights['bias'];
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias };
}

/** Feeds of a 4-bit block: `${module}` the packed bytes (uint8), `${module}_absmax` float32 per block. */
export function packedBlockFeeds(ort: OrtModule, arch: Architecture, w: PackedBlockWeights): BlockFeeds {
  const H = arch.hiddenSize;
  const feeds: BlockFeeds = {
    ln1: new ort.Tensor('float32', w.inputLayernorm, [H]),
    ln2: new ort.Tensor('float32', w.postAttentionLayernorm, [H]),
  };
  for (const module of BLOCK_LINEAR_MODULES) {
    const { packed, absmax } = w.linear[module];
    feeds[module] = new ort.Tensor('uint8', packed, [packed.length]);
    feeds[`${module}_absmax`] = new ort.Tensor('float32', absmax, [absmax.length]);
  }
  for (const module of biasModules(arch)) {
    const bias = w.bias[module];
    if (!bias) throw new Error(`internal: block weights lack ${module} bias although the architecture has one`);
    feeds[`${module}_bias`] = new ort.Tensor('float32', bias, [bias.length]);
  }
  return feeds;
}
