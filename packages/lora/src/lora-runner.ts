// Forward and checkpointed backward of base + LoRA, block by block. The
// forward keeps only each block's INPUT (B*T x H); the backward walks the
// blocks in reverse, dequantizes block l again, recomputes its forward under a
// tape and takes d(loss)/d(input, A, B) with the gradient that arrived from
// block l+1. So at any time one block's float32 weights and one block's
// activations exist, plus L+1 residual-stream tensors.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '@layerprune/model';
import { blockForward, createBlockContext, materializeBlock, matMul2d, rmsNorm } from '@layerprune/model/tfjs';
import type { BlockContext, BlockTensors, LinearDeltaHook } from '@layerprune/model/tfjs';
import { blockDropoutMasks } from './dropout-masks.js';
import type { FrozenBase } from './frozen-base.js';
import { createHeadTensors, headLoss, type HeadTensors } from './lm-head-loss.js';
import type { LoraAdapters, LoraPair } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { checkPackedBatch, embedBatch } from './packed-batch.js';
import type { RngState, SeededRng } from '@layerprune/data';
import type { LinearModuleName } from './target-modules.js';
import { trainArchitecture } from './train-architecture.js';
import type { LoraTrainer, MicroBatchResult, TokenBatch } from './trainer/lora-trainer.js';

/** One module's adapter inside a taped function: A^T [in, r], B^T [r, out] and its dropout mask. */
interface AdapterTensors {
  readonly at: tf.Tensor2D;
  readonly bt: tf.Tensor2D;
  /** [N, in], already scaled by 1/(1-p); null without dropout. */
  readonly mask: tf.Tensor2D | null;
}

/**
 * The LoRA term as the runtime's linear-delta hook (added after the bias):
 * PEFT's lora_B(lora_A(dropout(x))) * scaling, as plain 2-D matMuls whose
 * gradients reach A^T and B^T (matMul2d avoids wasm's slow transposeA/B).
 */
function loraHook(adapters: Partial<Record<LinearModuleName, AdapterTensors>>, scaling: number): LinearDeltaHook {
  return (_layer, module, input) => {
    const t = adapters[module];
    if (!t) return null;
    const x = t.mask ? (tf.mul(input, t.mask) as tf.Tensor2D) : input;
    return tf.mul(matMul2d(matMul2d(x, t.at), t.bt), scaling) as tf.Tensor2D;
  };
}

/** The TensorFlow.js trainer (tfjsTrainerFactory creates it); its results are synchronous. */
export class LoraRunner implements LoraTrainer {
  readonly base: FrozenBase;
  readonly adapters: LoraAdapters | null;
  private readonly arch: Architecture;
  /** One reusable float32 buffer per linear module for dequantized block weights. */
  private readonly buffers = new Map<LinearModuleName, Float32Array>();
  private head: HeadTensors | null = null;
  private ctx: BlockContext | null = null;

  constructor(base: FrozenBase, adapters: LoraAdapters | null) {
    this.base = base;
    this.adapters = adapters;
    this.arch = trainArchitecture(base.config);
  }

  /**
   * Block `layer`'s frozen weights as tensors, for one forward (or one
   * recomputed forward + backward): 4-bit weights are dequantized here. Kept in
   * the Hugging Face [out, in] layout, which the runtime multiplies from the left
   * so a freshly made weight is never packed by XNNPACK (see FrozenWeight).
   */
  private block(layer: number): BlockTensors {
    return materializeBlock(this.arch.config, this.base.blockWeights(layer, this.buffers), 'out-in');
  }

  private headTensors(): HeadTensors {
    const c = this.base.config;
    this.head ??= createHeadTensors(this.base.lmHead, this.base.finalNorm, c.vocabSize, c.hiddenSize);
    return this.head;
  }

  private context(batch: number, seqLen: number): BlockContext {
    if (!this.ctx || this.ctx.batch !== batch || this.ctx.queryLength !== seqLen) {
      this.ctx?.dispose();
      this.ctx = createBlockContext(this.arch, { batch, queryLength: seqLen });
    }
    return this.ctx;
  }

  /** x(0): embedding rows gathered in plain TS (the embeddings are frozen, so no gradient is needed). */
  private embed(batch: readonly (readonly number[])[], seqLen: number): tf.Tensor2D {
    const { hiddenSize: h, vocabSize: vocab } = this.base.config;
    return tf.tensor2d(embedBatch(this.base.embedding, h, vocab, batch, seqLen), [batch.length * seqLen, h]);
  }

  /**
   * Tensors of the adapters of one block. `params` (A^T, B^T per pair) are what
   * gradients are taken for, and what to dispose afterwards (masks are the caller's).
   */
  private adapterTensors(pairs: LoraPair[], masks: Map<string, tf.Tensor2D> | null): { tensors: Partial<Record<LinearModuleName, AdapterTensors>>; params: tf.Tensor2D[] } {
    const tensors: Partial<Record<LinearModuleName, AdapterTensors>> = {};
    const params: tf.Tensor2D[] = [];
    const r = this.adapters?.config.rank ?? 0;
    for (const p of pairs) {
      // A [r, in] -> A^T [in, r]; B [out, r] -> B^T [r, out]: forward products stay plain 2-D matMuls.
      const a = tf.tensor2d(p.a, [r, p.inFeatures]);
      const b = tf.tensor2d(p.b, [p.outFeatures, r]);
      const at = tf.transpose(a) as tf.Tensor2D;
      const bt = tf.transpose(b) as tf.Tensor2D;
      a.dispose();
      b.dispose();
      params.push(at, bt);
      tensors[p.module] = { at, bt, mask: masks?.get(p.module) ?? null };
    }
    return { tensors, params };
  }

  private static targets(batch: readonly (readonly number[])[], seqLen: number): { targets: tf.Tensor1D; weights: tf.Tensor1D; count: number } {
    const n = batch.length * seqLen;
    const targets = new Int32Array(n);
    const weights = new Float32Array(n);
    const count = batch.length * (seqLen - 1);
    batch.forEach((seq, b) => {
      for (let t = 0; t + 1 < seqLen; t++) {
        targets[b * seqLen + t] = seq[t + 1];
        weights[b * seqLen + t] = 1 / count;
      }
    });
    return { targets: tf.tensor1d(targets, 'int32'), weights: tf.tensor1d(weights), count };
  }



  /** Runs blocks 0..L-1 without a tape; returns the block inputs x(0..L) (caller disposes). */
  private forwardInputs(batch: readonly (readonly number[])[], seqLen: number, layerRng: RngState[] | null): tf.Tensor2D[] {
    const ctx = this.context(batch.length, seqLen);
    const dropout = this.adapters?.config.dropout ?? 0;
    const xs: tf.Tensor2D[] = [this.embed(batch, seqLen)];
    for (let l = 0; l < this.base.config.numHiddenLayers; l++) {
      const block = this.block(l);
      const pairs = this.adapters?.forLayer(l) ?? [];
      const masks = layerRng && dropout > 0 ? blockDropoutMasks(layerRng[l], batch.length * seqLen, pairs.map((p) => ({ name: p.module, inFeatures: p.inFeatures })), dropout) : null;
      const { tensors, params } = this.adapterTensors(pairs, masks);
      const linearDelta = loraHook(tensors, this.adapters?.scaling ?? 0);
      xs.push(tf.tidy(() => blockForward(this.arch, block, xs[l], ctx, { layer: l, linearDelta })));
      params.forEach((t) => t.dispose());
      masks?.forEach((t) => t.dispose());
      block.dispose();
    }
    return xs;
  }

  /**
   * Loss and gradients of one micro-batch. Gradients of every adapter
   * parameter (order of adapters.parameters()) are ADDED into `grads`, scaled
   * by `lossScale` (1 / accumulation steps for a global-batch mean).
   */
  lossAndGradients(batch: TokenBatch, grads: Float32Array[], lossScale: number, dropoutRng: SeededRng | null): MicroBatchResult {
    const adapters = this.adapters;
    if (!adapters) throw new LoraError('CONFIG_INVALID', 'lossAndGradients needs adapters to train');
    const seqLen = checkPackedBatch(batch);
    const L = this.base.config.numHiddenLayers;
    const layerRng = dropoutRng ? Array.from({ length: L }, () => dropoutRng.fork().getState()) : null;
    const xs = this.forwardInputs(batch, seqLen, layerRng);
    const head = this.headTensors();
    const { targets, weights, count } = LoraRunner.targets(batch, seqLen);
    const eps = this.base.config.rmsNormEps;
    const headResult = tf.tidy(() => {
      const { value, grads: g } = tf.valueAndGrads((x: tf.Tensor) => headLoss(x as tf.Tensor2D, head, targets, weights, eps))([xs[L]], tf.scalar(lossScale));
      return { value, dx: g[0] as tf.Tensor2D };
    });
    const loss = headResult.value.dataSync()[0];
    headResult.value.dispose();
    targets.dispose();
    weights.dispose();
    let dy = headResult.dx;
    const ctx = this.context(batch.length, seqLen);
    const indexOf = new Map(adapters.pairs.map((p, i) => [p, i]));
    const dropout = adapters.config.dropout;
    for (let l = L - 1; l >= 0; l--) {
      const block = this.block(l);
      const pairs = adapters.forLayer(l);
      const masks = layerRng && dropout > 0 ? blockDropoutMasks(layerRng[l], batch.length * seqLen, pairs.map((p) => ({ name: p.module, inFeatures: p.inFeatures })), dropout) : null;
      const { tensors, params } = this.adapterTensors(pairs, masks);
      const upstream = dy;
      const result = tf.tidy(() => {
        const f = (...args: tf.Tensor[]): tf.Tensor => {
          const [x, ...ps] = args;
          const local: Partial<Record<LinearModuleName, AdapterTensors>> = {};
          pairs.forEach((p, i) => {
            local[p.module] = { ...tensors[p.module]!, at: ps[2 * i] as tf.Tensor2D, bt: ps[2 * i + 1] as tf.Tensor2D };
          });
          return blockForward(this.arch, block, x as tf.Tensor2D, ctx, { layer: l, linearDelta: loraHook(local, adapters.scaling) });
        };
        return tf.grads(f)([xs[l], ...params], upstream);
      });
      upstream.dispose();
      dy = result[0] as tf.Tensor2D;
      pairs.forEach((p, i) => {
        const k = indexOf.get(p)! * 2;
        addTransposed(grads[k], result[1 + 2 * i].dataSync() as Float32Array, p.inFeatures, adapters.config.rank);
        addTransposed(grads[k + 1], result[2 + 2 * i].dataSync() as Float32Array, adapters.config.rank, p.outFeatures);
        result[1 + 2 * i].dispose();
        result[2 + 2 * i].dispose();
      });
      params.forEach((t) => t.dispose());
      masks?.forEach((t) => t.dispose());
      block.dispose();
      xs[l + 1].dispose();
    }
    dy.dispose();
    xs[0].dispose();
    // valueAndGrads scales only the gradients by lossScale (dy); the value is the plain mean loss.
    return { loss, tokens: count };
  }

  /** Mean next-token loss without gradients and without dropout. */
  loss(batch: TokenBatch): MicroBatchResult {
    const seqLen = checkPackedBatch(batch);
    const xs = this.forwardInputs(batch, seqLen, null);
    const L = this.base.config.numHiddenLayers;
    const { targets, weights, count } = LoraRunner.targets(batch, seqLen);
    const head = this.headTensors(); // created outside tidy: it lives as long as the runner
    const value = tf.tidy(() => headLoss(xs[L], head, targets, weights, this.base.config.rmsNormEps).dataSync()[0]);
    xs.forEach((x) => x.dispose());
    targets.dispose();
    weights.dispose();
    return { loss: value, tokens: count };
  }

  /** Logits [B*T, V] of base + adapters (no dropout), for merge checks and evaluation. */
  logits(batch: readonly (readonly number[])[]): Float32Array {
    const seqLen = batch[0]?.length ?? 0;
    const xs = this.forwardInputs(batch, seqLen, null);
    const L = this.base.config.numHiddenLayers;
    const head = this.headTensors();
    const out = tf.tidy(() => tf.matMul(rmsNorm(xs[L], head.finalNorm, this.base.config.rmsNormEps), head.headT).dataSync() as Float32Array);
    xs.forEach((x) => x.dispose());
    return out;
  }

  dispose(): void {
    this.head?.dispose();
    this.ctx?.dispose();
    this.head = null;
    this.ctx = null;
  }
}

/** acc += src^T, where src is [srcRows, srcCols] and acc is [srcCols, srcRows] (dA^T -> dA). */
function addTransposed(acc: Float32Array, src: Float32Array, srcRows: number, srcCols: number): void {
  for (let i = 0; i < srcRows; i++) {
    const row = i * srcCols;
    for (let j = 0; j < srcCols; j++) acc[j * srcRows + i] += src[row + j];
  }
}
