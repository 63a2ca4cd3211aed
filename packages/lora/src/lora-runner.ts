// Forward and checkpointed backward of base + LoRA, block by block. The
// forward keeps only each block's INPUT (B*T x H); the backward walks the
// blocks in reverse, dequantizes block l again, recomputes its forward under a
// tape and takes d(loss)/d(input, A, B) with the gradient that arrived from
// block l+1. So at any time one block's float32 weights and one block's
// activations exist, plus L+1 residual-stream tensors.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '@layerprune/model';
import { blockForward, createBlockContext, materializeBlock, rmsNorm, softcapLogits } from '@layerprune/model/tfjs';
import type { BlockContext, BlockTensors } from '@layerprune/model/tfjs';
import { BlockAdapterTensors } from './block-adapter-tensors.js';
import { blockDropoutMasks } from './dropout-masks.js';
import type { FrozenBase } from './frozen-base.js';
import { createHeadTensors, headLoss, type HeadTensors } from './lm-head-loss.js';
import type { LoraAdapters } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { checkPackedBatch, embedBatch } from './packed-batch.js';
import type { RngState, SeededRng } from '@layerprune/data';
import { trainArchitecture } from './train-architecture.js';
import type { LoraTrainer, MicroBatchResult, TokenBatch } from './trainer/lora-trainer.js';

/** The TensorFlow.js trainer (tfjsTrainerFactory creates it); its results are synchronous. */
export class LoraRunner implements LoraTrainer {
  readonly base: FrozenBase;
  readonly adapters: LoraAdapters | null;
  private readonly arch: Architecture;
  /** One reusable float32 buffer per stored linear for dequantized block weights. */
  private readonly buffers = new Map<string, Float32Array>();
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
    this.head ??= createHeadTensors(this.base.lmHead, this.base.finalNorm, c.vocabSize, c.hiddenSize, this.arch.normWeightOffset);
    return this.head;
  }

  private context(batch: number, seqLen: number): BlockContext {
    if (!this.ctx || this.ctx.batch !== batch || this.ctx.queryLength !== seqLen) {
      this.ctx?.dispose();
      this.ctx = createBlockContext(this.arch, { batch, queryLength: seqLen });
    }
    return this.ctx;
  }

  /** x(0): embedding rows (times Gemma's embedding scale) gathered in plain TS (the embeddings are frozen, so no gradient is needed). */
  private embed(batch: readonly (readonly number[])[], seqLen: number): tf.Tensor2D {
    const { hiddenSize: h, vocabSize: vocab } = this.base.config;
    return tf.tensor2d(embedBatch(this.base.embedding, h, vocab, batch, seqLen, this.arch.embeddingScale), [batch.length * seqLen, h]);
  }

  /**
   * Dropout masks [rows, in] of block `layer`'s adapted modules (by module name, one per
   * module: a fused module's parts share it), drawn from the block's saved generator
   * state, or null without dropout (caller disposes).
   */
  private masks(layer: number, rows: number, layerRng: RngState[] | null): Map<string, tf.Tensor2D> | null {
    const dropout = this.adapters?.config.dropout ?? 0;
    if (!this.adapters || !layerRng || dropout <= 0) return null;
    const modules = this.adapters.modulesOfLayer(layer).map((m) => ({ name: m.name, inFeatures: m.inFeatures }));
    return blockDropoutMasks(layerRng[layer], rows, modules, dropout);
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
    const xs: tf.Tensor2D[] = [this.embed(batch, seqLen)];
    for (let l = 0; l < this.base.config.numHiddenLayers; l++) {
      const block = this.block(l);
      const masks = this.masks(l, batch.length * seqLen, layerRng);
      const tensors = this.adapters ? new BlockAdapterTensors(this.adapters, l, masks) : null;
      const linearDelta = tensors?.hook();
      xs.push(tf.tidy(() => blockForward(this.arch, block, xs[l], ctx, { layer: l, linearDelta })));
      tensors?.dispose();
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
    const cap = this.arch.finalLogitSoftcap;
    const headResult = tf.tidy(() => {
      const { value, grads: g } = tf.valueAndGrads((x: tf.Tensor) => headLoss(x as tf.Tensor2D, head, targets, weights, eps, cap))([xs[L]], tf.scalar(lossScale));
      return { value, dx: g[0] as tf.Tensor2D };
    });
    const loss = headResult.value.dataSync()[0];
    headResult.value.dispose();
    targets.dispose();
    weights.dispose();
    let dy = headResult.dx;
    const ctx = this.context(batch.length, seqLen);
    for (let l = L - 1; l >= 0; l--) {
      const block = this.block(l);
      const masks = this.masks(l, batch.length * seqLen, layerRng);
      const tensors = new BlockAdapterTensors(adapters, l, masks);
      const upstream = dy;
      const result = tf.tidy(() => {
        // ps: the taped stand-ins of tensors.params (a fused module's one A^T feeds all its parts).
        const f = (...args: tf.Tensor[]): tf.Tensor => {
          const [x, ...ps] = args;
          return blockForward(this.arch, block, x as tf.Tensor2D, ctx, { layer: l, linearDelta: tensors.hook(ps) });
        };
        return tf.grads(f)([xs[l], ...tensors.params], upstream);
      });
      upstream.dispose();
      dy = result[0] as tf.Tensor2D;
      tensors.accumulate(result.slice(1), grads);
      tensors.dispose();
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
    const value = tf.tidy(() => headLoss(xs[L], head, targets, weights, this.base.config.rmsNormEps, this.arch.finalLogitSoftcap).dataSync()[0]);
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
    const out = tf.tidy(() => {
      const logits = tf.matMul(rmsNorm(xs[L], head.finalNorm, this.base.config.rmsNormEps), head.headT) as tf.Tensor2D;
      return softcapLogits(logits, this.arch.finalLogitSoftcap).dataSync() as Float32Array;
    });
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
