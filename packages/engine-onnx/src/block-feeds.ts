// A block's weights as onnxruntime input tensors. The tensors wrap the
// provider's Float32Arrays without copying (onnxruntime reads them in place), so
// a resident model holds each weight once, in the Hugging Face layout.
import type * as Ort from 'onnxruntime-node';
import { linearShape } from '@layerprune/model';
import type { Architecture, BlockWeights, PackedBlockWeights } from '@layerprune/model';
import { BLOCK_LINEAR_MODULES, biasModules } from './graph/block-graph.js';
import type { OrtModule } from './runtime/load-runtime.js';

export type BlockFeeds = Record<string, Ort.Tensor>;

/** Copies of the q/k norm weights (qwen3), or nothing. */
function copyQkNorms(w: Pick<BlockWeights, 'qNorm' | 'kNorm'>): Pick<BlockWeights, 'qNorm' | 'kNorm'> {
  return { ...(w.qNorm ? { qNorm: w.qNorm.slice() } : {}), ...(w.kNorm ? { kNorm: w.kNorm.slice() } : {}) };
}

/** Copies every array (for providers that refill their buffers). */
export function copyBlockWeights(w: BlockWeights): BlockWeights {
  const linear = Object.fromEntries(Object.entries(w.linear).map(([m, a]) => [m, a.slice()])) as BlockWeights['linear'];
  const bias = Object.fromEntries(Object.entries(w.bias).map(([m, a]) => [m, a.slice()])) as BlockWeights['bias'];
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias, ...copyQkNorms(w) };
}

/** ln1, ln2 and, when the architecture has them, q_norm / k_norm [headDim]. */
function normFeeds(ort: OrtModule, arch: Architecture, w: Pick<BlockWeights, 'inputLayernorm' | 'postAttentionLayernorm' | 'qNorm' | 'kNorm'>): BlockFeeds {
  const H = arch.hiddenSize;
  const feeds: BlockFeeds = {
    ln1: new ort.Tensor('float32', w.inputLayernorm, [H]),
    ln2: new ort.Tensor('float32', w.postAttentionLayernorm, [H]),
  };
  if (arch.qkNorm) {
    if (!w.qNorm || !w.kNorm) throw new Error('internal: block weights lack q_norm / k_norm although the architecture has them');
    feeds.q_norm = new ort.Tensor('float32', w.qNorm, [arch.headDim]);
    feeds.k_norm = new ort.Tensor('float32', w.kNorm, [arch.headDim]);
  }
  return feeds;
}

export function blockFeeds(ort: OrtModule, arch: Architecture, w: BlockWeights): BlockFeeds {
  const feeds = normFeeds(ort, arch, w);
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
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias, ...copyQkNorms(w) };
}

/** Feeds of a 4-bit block: `${module}` the packed bytes (uint8), `${module}_absmax` float32 per block. */
export function packedBlockFeeds(ort: OrtModule, arch: Architecture, w: PackedBlockWeights): BlockFeeds {
  const feeds = normFeeds(ort, arch, w);
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
