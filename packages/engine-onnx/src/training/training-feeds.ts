// A training block's onnxruntime inputs: norms, biases and linears (float32,
// 4-bit ones dequantized into reused buffers, or packed for MatMulBnb4) and the
// adapters with their dropout masks; and where the adapters' gradients go.
// Tensors wrap the arrays without copying.
import type * as Ort from 'onnxruntime-node';
import type { Architecture } from '@layerprune/model';
import type { FrozenBase, LoraAdapters, LoraPair } from '@layerprune/lora';
import { BLOCK_LINEAR_MODULES, BNB4_BLOCK_SIZES, type FourBitLayout } from '../graph/block-graph.js';
import { linearDims } from '../graph/linear-dims.js';
import { adapterName } from './train-block-graph.js';

export type Feeds = Record<string, Ort.Tensor>;

export class TrainingFeeds {
  /** Float32 buffers for dequantized (4-bit, 16-bit) linears, per slot and module, reused block after block. */
  private readonly buffers = new Map<string, Float32Array>();

  constructor(
    private readonly ort: typeof Ort,
    private readonly base: FrozenBase,
    private readonly arch: Architecture,
    private readonly lora: LoraAdapters | null,
  ) {}

  /**
   * Norms, biases and the linears as float32 [out, in]; 4-bit and 16-bit ones are
   * dequantized into buffer set `slot` (two sets: the next block is prepared
   * while onnxruntime still reads the current one).
   */
  floatWeights(layer: number, slot: number): Feeds {
    const feeds = this.blockFeeds(layer);
    for (const m of BLOCK_LINEAR_MODULES) {
      const dims = linearDims(this.arch, m);
      let values: Float32Array;
      if (this.base.bits === 32) {
        values = this.base.linear(layer, m);
      } else {
        const key = `${slot}.${m}`;
        let buffer = this.buffers.get(key);
        if (!buffer) this.buffers.set(key, (buffer = new Float32Array(dims[0] * dims[1])));
        values = this.base.linear(layer, m, buffer);
      }
      feeds[m] = new this.ort.Tensor('float32', values, dims);
    }
    return feeds;
  }

  /** The forward's weights: packed 4-bit for MatMulBnb4 when the base is stored so, else float32. */
  forwardWeights(layer: number, slot: number): { feeds: Feeds; fourBit?: FourBitLayout } {
    const packed = this.base.bits === 4 ? this.base.packedLinears(layer) : null;
    if (!packed || !BNB4_BLOCK_SIZES.includes(packed.blockSize)) return { feeds: this.floatWeights(layer, slot) };
    const feeds = this.blockFeeds(layer);
    for (const m of BLOCK_LINEAR_MODULES) {
      const { packed: bytes, absmax } = packed.linear[m];
      feeds[m] = new this.ort.Tensor('uint8', bytes, [bytes.length]);
      feeds[`${m}_absmax`] = new this.ort.Tensor('float32', absmax, [absmax.length]);
    }
    return { feeds, fourBit: { quantType: packed.quantType, blockSize: packed.blockSize } };
  }

  private blockFeeds(layer: number): Feeds {
    const H = this.arch.hiddenSize;
    const feeds: Feeds = {
      ln1: new this.ort.Tensor('float32', this.base.norm(layer, 'input'), [H]),
      ln2: new this.ort.Tensor('float32', this.base.norm(layer, 'post'), [H]),
    };
    for (const m of BLOCK_LINEAR_MODULES) {
      const bias = this.base.bias(layer, m);
      if (bias) feeds[`${m}_bias`] = new this.ort.Tensor('float32', bias, [bias.length]);
    }
    const ffn = this.feedforwardNorms(layer);
    if (ffn) {
      feeds.pre_ffn_norm = new this.ort.Tensor('float32', ffn.pre, [H]);
      feeds.post_ffn_norm = new this.ort.Tensor('float32', ffn.post, [H]);
    }
    const qk = this.base.qkNorms(layer);
    if (qk) {
      feeds.q_norm = new this.ort.Tensor('float32', qk.q, [qk.q.length]);
      feeds.k_norm = new this.ort.Tensor('float32', qk.k, [qk.k.length]);
    }
    return feeds;
  }

  /** Gemma's pre/post feed-forward norms of block `layer`, or null without sandwich norms. */
  private feedforwardNorms(layer: number): { pre: Float32Array; post: Float32Array } | null {
    if (!this.arch.sandwichNorms) return null;
    const norms = this.base.feedforwardNorms(layer);
    if (!norms) throw new Error(`internal: block ${layer} has no feed-forward norms although the config has sandwich norms`);
    return norms;
  }

  /**
   * Each logical module's A, B and dropout mask. The parts of a fused module
   * (Phi-3's qkv_proj) get its shared A, their rows of its B and its one mask
   * (`masks` is keyed by adapter path: PEFT drops the fused input once).
   */
  adapters(pairs: readonly LoraPair[], masks: Map<string, Float32Array> | null, rows: number): Feeds {
    const feeds: Feeds = {};
    const r = this.lora?.config.rank ?? 0;
    for (const p of pairs) {
      feeds[adapterName.a(p.module)] = new this.ort.Tensor('float32', p.a, [r, p.inFeatures]);
      feeds[adapterName.b(p.module)] = new this.ort.Tensor('float32', p.b, [p.outFeatures, r]);
      const mask = masks?.get(p.path);
      if (mask) feeds[adapterName.mask(p.module)] = new this.ort.Tensor('float32', mask, [rows, p.inFeatures]);
    }
    return feeds;
  }
}

/**
 * Where each pair's gradients go in `grads` (order of adapters.parameters()):
 * the whole dA of its module (a fused module's parts each add theirs, which sums
 * them as the shared A's gradient) and the pair's rows of the module's dB.
 */
export function gradientSlots(adapters: LoraAdapters, grads: Float32Array[]): Map<LoraPair, { a: Float32Array; b: Float32Array }> {
  const r = adapters.config.rank;
  const slots = new Map<LoraPair, { a: Float32Array; b: Float32Array }>();
  adapters.modules.forEach((m, index) => {
    for (const part of m.parts) {
      const pair = adapters.get(m.layer, part.module);
      if (!pair) throw new Error(`internal: no pair for ${m.path} part ${part.module}`);
      const b = m.parts.length === 1 ? grads[2 * index + 1] : grads[2 * index + 1].subarray(part.rowStart * r, part.rowEnd * r);
      slots.set(pair, { a: grads[2 * index], b });
    }
  });
  return slots;
}
