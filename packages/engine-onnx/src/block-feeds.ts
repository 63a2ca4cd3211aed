// A block's weights as onnxruntime input tensors. The tensors wrap the
// provider's Float32Arrays without copying (onnxruntime reads them in place), so
// a resident model holds each weight once, in the Hugging Face layout.
import type * as Ort from 'onnxruntime-node';
import { linearShape } from '@layerprune/architectures';
import type { Architecture, BlockWeights, PackedBlockWeights } from '@layerprune/model';
import { BLOCK_LINEAR_MODULES, biasModules } from './graph/block-graph.js';
import type { OrtModule } from './runtime/load-runtime.js';

export type BlockFeeds = Record<string, Ort.Tensor>;

type OptionalNorms = Pick<BlockWeights, 'qNorm' | 'kNorm' | 'preFeedforwardLayernorm' | 'postFeedforwardLayernorm'>;
const OPTIONAL_NORMS = ['qNorm', 'kNorm', 'preFeedforwardLayernorm', 'postFeedforwardLayernorm'] as const;

/** Copies of the norms only some architectures have (q/k norms, Gemma's feed-forward norms), or nothing. */
function copyOptionalNorms(w: OptionalNorms): OptionalNorms {
  return Object.fromEntries(OPTIONAL_NORMS.flatMap((name) => (w[name] ? [[name, w[name].slice()]] : []))) as OptionalNorms;
}

/** Copies every array (for providers that refill their buffers). */
export function copyBlockWeights(w: BlockWeights): BlockWeights {
  const linear = Object.fromEntries(Object.entries(w.linear).map(([m, a]) => [m, a.slice()])) as BlockWeights['linear'];
  const bias = Object.fromEntries(Object.entries(w.bias).map(([m, a]) => [m, a.slice()])) as BlockWeights['bias'];
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias, ...copyOptionalNorms(w) };
}

/**
 * ln1, ln2 and, when the architecture has them, q_norm / k_norm [headDim] and Gemma's pre_ffn_norm /
 * post_ffn_norm [H], all as stored (the block graph adds normWeightOffset).
 */
function normFeeds(ort: OrtModule, arch: Architecture, w: Pick<BlockWeights, 'inputLayernorm' | 'postAttentionLayernorm'> & OptionalNorms): BlockFeeds {
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
  if (arch.sandwichNorms) {
    const { preFeedforwardLayernorm: pre, postFeedforwardLayernorm: post } = w;
    if (!pre || !post) throw new Error('internal: block weights lack the pre/post feed-forward norms although the architecture has sandwich norms');
    feeds.pre_ffn_norm = new ort.Tensor('float32', pre, [H]);
    feeds.post_ffn_norm = new ort.Tensor('float32', post, [H]);
  }
  return feeds;
}

export function blockFeeds(ort: OrtModule, arch: Architecture, w: BlockWeights): BlockFeeds {
  const feeds = normFeeds(ort, arch, w);
  for (const module of BLOCK_LINEAR_MODULES) {
    const [outFeatures, inFeatures] = linearShape(arch.config, module);
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
  return { inputLayernorm: w.inputLayernorm.slice(), postAttentionLayernorm: w.postAttentionLayernorm.slice(), linear, bias, ...copyOptionalNorms(w) };
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
