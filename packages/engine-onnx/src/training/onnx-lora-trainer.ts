// LoRA training steps on onnxruntime: @layerprune/lora's LoraTrainer over the
// hand-written backward graphs of train-block-graph.ts and head-loss-graph.ts.
// A step: embed in JS; blocks 0..L-1 forward (4-bit bases through MatMulBnb4);
// loss and dL/dx(L) in the head graph; blocks L-1..0 backward (float32 weights,
// 4-bit ones dequantized per block), each adding its adapters' gradients.
// Memory: either only the block inputs x(0..L) are kept and each backward graph
// recomputes its block's forward (the tfjs trainer's checkpointed profile), or
// the forward returns what the backward reads (about 12 activations per block),
// which skips that recompute; `keepActivations: 'auto'` (the default) keeps them
// when they fit in a quarter of the machine's memory (keep-activations.ts).
import type * as Ort from 'onnxruntime-node';
import { machineMemoryBytes, type Architecture } from '@layerprune/model';
import { checkPackedBatch, embedBatch, LoraError, trainArchitecture } from '@layerprune/lora';
import type { FrozenBase, LoraAdapters, LoraPair, LoraTrainer, MicroBatchResult, RngState, SeededRng, TokenBatch } from '@layerprune/lora';
import { createCallContext, type CallContext } from '../call-context.js';
import { OnnxEngineError } from '../errors.js';
import { BLOCK_LINEAR_MODULES } from '../graph/block-graph.js';
import type { OnnxRuntime } from '../runtime/load-runtime.js';
import { DropoutMaskSource } from './dropout-mask-source.js';
import { buildHeadLossGraph } from './head-loss-graph.js';
import { decideKeepActivations, type KeepActivations, type KeepDecision } from './keep-activations.js';
import { savedActivationBytes, savedActivationShapes } from './saved-activation-shapes.js';
import { gradientSlots, TrainingFeeds, type Feeds } from './training-feeds.js';
import { adapterName, buildTrainBackwardGraph, buildTrainForwardGraph, trainGraphKey, type TrainBlockSpec } from './train-block-graph.js';

export interface OnnxTrainerOptions {
  /**
   * Keep each block's activations from the forward for its backward (faster, ~12 activations per block of
   * memory), recompute them (false), or 'auto' (default): keep them when every block's, with their dropout
   * masks, fit in a quarter of `memoryBytes`.
   */
  keepActivations?: KeepActivations;
  /** The memory 'auto' budgets against. Default: @layerprune/model's machineMemoryBytes() (LAYERPRUNE_MEMORY_BYTES overrides). */
  memoryBytes?: number;
  /** Where the 'auto' choice is said, once per micro-batch shape (e.g. the CLI's log). */
  log?: (line: string) => void;
  /** Draw dropout masks on a worker thread while onnxruntime computes (same masks). Default true. */
  maskWorker?: boolean;
}

interface StepContext {
  call: CallContext;
  /** -sin of each rotary table (by its sin tensor): Gemma 3's sliding layers rotate with their own. */
  sinNeg: Map<Ort.Tensor, Ort.Tensor>;
  rows: number;
}

export class OnnxLoraTrainer implements LoraTrainer {
  readonly base: FrozenBase;
  readonly adapters: LoraAdapters | null;
  readonly keepActivations: KeepActivations;
  private readonly memoryBytes: number;
  private readonly log: (line: string) => void;
  private readonly decisions = new Map<string, KeepDecision>();
  private readonly arch: Architecture;
  private readonly runtime: OnnxRuntime;
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private readonly feeds: TrainingFeeds;
  private readonly maskSource: DropoutMaskSource;
  private step: StepContext | null = null;
  /**
   * Block outputs and kept activations by layer and name, reused step after step:
   * allocating (and zero-filling) ~25 MB per block each step cost ~5 ms a block.
   */
  private readonly activations = new Map<string, Float32Array>();
  private disposed = false;

  constructor(base: FrozenBase, adapters: LoraAdapters | null, runtime: OnnxRuntime, options: OnnxTrainerOptions = {}) {
    this.base = base;
    this.adapters = adapters;
    this.runtime = runtime;
    this.keepActivations = options.keepActivations ?? 'auto';
    this.memoryBytes = options.memoryBytes ?? machineMemoryBytes();
    this.log = options.log ?? (() => {});
    this.arch = trainArchitecture(base.config);
    this.feeds = new TrainingFeeds(runtime.ort, base, this.arch, adapters);
    this.maskSource = new DropoutMaskSource({ useWorker: options.maskWorker ?? true });
  }

  private get ort(): typeof Ort {
    return this.runtime.ort;
  }

  private session(name: string, build: () => Uint8Array): Promise<Ort.InferenceSession> {
    let session = this.sessions.get(name);
    if (!session) {
      session = this.runtime.createSession(build(), name);
      this.sessions.set(name, session);
    }
    return session;
  }

  private async run(name: string, build: () => Uint8Array, feeds: Feeds, fetches: Ort.InferenceSession.FetchesType): Promise<Record<string, Ort.Tensor>> {
    if (this.disposed) throw new OnnxEngineError('DISPOSED', 'the onnx trainer was disposed');
    const session = await this.session(name, build);
    try {
      return await session.run(feeds, fetches);
    } catch (cause) {
      throw new OnnxEngineError('RUNTIME_FAILED', `onnxruntime failed running the ${name} graph: ${(cause as Error).message.split('\n')[0]}`, { cause });
    }
  }

  private context(batch: number, tokens: number): StepContext {
    const current = this.step;
    if (current && current.call.batch === batch && current.call.tokens === tokens) return current;
    const call = createCallContext(this.ort, this.arch, { batch, tokens, past: 0 });
    const sinNeg = new Map<Ort.Tensor, Ort.Tensor>();
    for (let l = 0; l < this.arch.numLayers; l++) {
      const { sin } = call.rope(l);
      if (!sinNeg.has(sin)) sinNeg.set(sin, new this.ort.Tensor('float32', (sin.data as Float32Array).map((v) => -v), sin.dims as number[]));
    }
    this.step = { call, sinNeg, rows: batch * tokens };
    return this.step;
  }

  private spec(layer: number, pairs: readonly LoraPair[], dropout: boolean): TrainBlockSpec {
    return {
      arch: this.arch,
      adapted: pairs.map((p) => p.module),
      rank: this.adapters?.config.rank ?? 0,
      scaling: this.adapters?.scaling ?? 0,
      dropout,
      biased: BLOCK_LINEAR_MODULES.filter((m) => this.base.bias(layer, m) !== null),
      qkNorm: this.base.qkNorms(layer) !== null,
    };
  }

  /**
   * Block `layer`'s masks by adapter path: one per checkpoint module (a fused
   * module's parts share it), drawn in the tfjs trainer's order (modulesOfLayer).
   */
  private masks(layer: number, pairs: readonly LoraPair[], layerRng: RngState[] | null, rows: number): Promise<Map<string, Float32Array>> | null {
    const p = this.adapters?.config.dropout ?? 0;
    if (!this.adapters || !layerRng || p <= 0 || pairs.length === 0) return null;
    const masks = this.maskSource.masks(layerRng[layer], rows, this.adapters.modulesOfLayer(layer).map((m) => ({ name: m.path, inFeatures: m.inFeatures })), p);
    // Handled here so a step that fails first leaves no unhandled rejection; awaiting it still throws.
    masks.catch(() => undefined);
    return masks;
  }

  /** Block inputs x(0..L), and with `keep` each block's saved activations (as output tensors to feed back). */
  private async forward(batch: TokenBatch, seqLen: number, layerRng: RngState[] | null, keep: boolean): Promise<{ xs: Float32Array[]; saved: Feeds[]; masks: (Map<string, Float32Array> | null)[] }> {
    const ctx = this.context(batch.length, seqLen);
    const H = this.arch.hiddenSize;
    const L = this.arch.numLayers;
    const xs = [embedBatch(this.base.embedding, H, this.arch.vocabSize, batch, seqLen, this.arch.embeddingScale)];
    const saved: Feeds[] = [];
    const masks: (Map<string, Float32Array> | null)[] = [];
    const prepare = (l: number) => {
      const pairs = this.adapters?.forLayer(l) ?? [];
      const pendingMasks = this.masks(l, pairs, layerRng, ctx.rows);
      return { pairs, pendingMasks, spec: this.spec(l, pairs, pendingMasks !== null), weights: this.feeds.forwardWeights(l, l % 2) };
    };
    let next = prepare(0);
    for (let l = 0; l < L; l++) {
      const { pairs, pendingMasks, spec, weights } = next;
      const blockMasks = pendingMasks && (await pendingMasks);
      const y = this.activation(l, 'y', ctx.rows * H);
      const fetches: Feeds = { y: new this.ort.Tensor('float32', y, [ctx.rows, H]) };
      const kept: Feeds = {};
      if (keep) {
        for (const [name, dims] of Object.entries(savedActivationShapes(spec, ctx.call.batch, ctx.call.tokens))) {
          kept[name] = new this.ort.Tensor('float32', this.activation(l, name, dims.reduce((a, b) => a * b, 1)), dims);
          fetches[name] = kept[name];
        }
      }
      const name = trainGraphKey(keep ? 'train_forward_saving' : 'train_forward', spec, weights.fourBit);
      const feeds = { ...weights.feeds, ...this.feeds.adapters(pairs, blockMasks, ctx.rows), ...this.callFeeds(ctx, l), x: new this.ort.Tensor('float32', xs[l], [ctx.rows, H]) };
      const running = this.run(name, () => buildTrainForwardGraph(spec, { save: keep, fourBit: weights.fourBit }), feeds, fetches);
      // The next block's masks are drawn on the mask worker while onnxruntime computes this one.
      if (l + 1 < L) next = prepareWhile(running, () => prepare(l + 1));
      await running;
      xs.push(y);
      saved.push(kept);
      masks.push(keep ? blockMasks : null);
      if (!keep) this.maskSource.release(blockMasks);
    }
    return { xs, saved, masks };
  }

  /** Block `layer`'s buffer `name` of `size` floats (contents are overwritten by the block's run). */
  private activation(layer: number, name: string, size: number): Float32Array {
    const key = `${layer}.${name}`;
    let buffer = this.activations.get(key);
    if (!buffer || buffer.length !== size) this.activations.set(key, (buffer = new Float32Array(size)));
    return buffer;
  }

  private callFeeds(ctx: StepContext, layer: number): Feeds {
    const { cos, sin } = ctx.call.rope(layer);
    return { positions: ctx.call.positions, cos, sin, mask: ctx.call.mask(layer) };
  }

  private targets(batch: TokenBatch, seqLen: number, lossScale: number): { feeds: Feeds; count: number } {
    const n = batch.length * seqLen;
    const targets = new BigInt64Array(n);
    const weights = new Float32Array(n);
    const gradWeights = new Float32Array(n);
    const count = batch.length * (seqLen - 1);
    batch.forEach((seq, b) => {
      for (let t = 0; t + 1 < seqLen; t++) {
        targets[b * seqLen + t] = BigInt(seq[t + 1]);
        weights[b * seqLen + t] = 1 / count;
        gradWeights[b * seqLen + t] = lossScale / count;
      }
    });
    const feeds: Feeds = {
      targets: new this.ort.Tensor('int64', targets, [n]),
      weights: new this.ort.Tensor('float32', weights, [n]),
      grad_weights: new this.ort.Tensor('float32', gradWeights, [n]),
    };
    return { feeds, count };
  }

  private headFeeds(x: Float32Array, rows: number): Feeds {
    const { hiddenSize: H, vocabSize: V } = this.arch;
    return {
      x: new this.ort.Tensor('float32', x, [rows, H]),
      norm: new this.ort.Tensor('float32', this.base.finalNorm, [H]),
      lm_head: new this.ort.Tensor('float32', this.base.lmHead, [V, H]),
    };
  }

  async lossAndGradients(batch: TokenBatch, grads: Float32Array[], lossScale: number, dropoutRng: SeededRng | null): Promise<MicroBatchResult> {
    const adapters = this.adapters;
    if (!adapters) throw new LoraError('CONFIG_INVALID', 'lossAndGradients needs adapters to train');
    const seqLen = checkPackedBatch(batch);
    const L = this.arch.numLayers;
    // The tfjs trainer's draw order: one generator per block, forked in block order.
    const layerRng = dropoutRng ? Array.from({ length: L }, () => dropoutRng.fork().getState()) : null;
    const keep = this.keepsActivations(batch.length, seqLen).keep;
    const { xs, saved, masks } = await this.forward(batch, seqLen, layerRng, keep);
    const ctx = this.context(batch.length, seqLen);
    const H = this.arch.hiddenSize;
    const { feeds: targetFeeds, count } = this.targets(batch, seqLen, lossScale);
    const head = await this.run('head_loss_backward', () => buildHeadLossGraph(this.arch, { gradient: true }), { ...this.headFeeds(xs[L], ctx.rows), ...targetFeeds }, ['loss', 'dx']);
    const loss = (head.loss.data as Float32Array)[0];
    let dy = head.dx;
    const slots = gradientSlots(adapters, grads);
    const recompute = !keep;
    const prepare = (l: number) => {
      const pairs = adapters.forLayer(l);
      const pendingMasks = keep ? masks[l] && Promise.resolve(masks[l]) : this.masks(l, pairs, layerRng, ctx.rows);
      return { pairs, pendingMasks, spec: this.spec(l, pairs, pendingMasks !== null), weights: this.feeds.floatWeights(l, l % 2) };
    };
    let next = prepare(L - 1);
    for (let l = L - 1; l >= 0; l--) {
      const { pairs, pendingMasks, spec, weights } = next;
      const blockMasks = pendingMasks && (await pendingMasks);
      const name = trainGraphKey(recompute ? 'train_recompute_backward' : 'train_backward', spec);
      const fetches = ['dx', ...pairs.flatMap((p) => [adapterName.gradA(p.module), adapterName.gradB(p.module)])];
      const feeds = {
        ...weights,
        ...this.feeds.adapters(pairs, blockMasks, ctx.rows),
        ...this.callFeeds(ctx, l),
        ...saved[l],
        x: new this.ort.Tensor('float32', xs[l], [ctx.rows, H]),
        dy,
        sin_neg: ctx.sinNeg.get(ctx.call.rope(l).sin)!,
      };
      const running = this.run(name, () => buildTrainBackwardGraph(spec, { recompute }), feeds, fetches);
      if (l > 0) next = prepareWhile(running, () => prepare(l - 1));
      const out = await running;
      saved[l] = {};
      this.maskSource.release(blockMasks);
      dy = out.dx;
      for (const p of pairs) {
        const slot = slots.get(p)!;
        addInto(slot.a, out[adapterName.gradA(p.module)].data as Float32Array);
        addInto(slot.b, out[adapterName.gradB(p.module)].data as Float32Array);
      }
    }
    return { loss, tokens: count };
  }

  /**
   * Whether a training step on micro-batches of `batch` x `seqLen` tokens keeps activations, and why:
   * what keeping would hold is every block's activations plus, with dropout, every block's masks.
   */
  keepsActivations(batch: number, seqLen: number): KeepDecision {
    const key = `${batch}x${seqLen}`;
    const known = this.decisions.get(key);
    if (known) return known;
    let bytes = 0;
    const dropout = (this.adapters?.config.dropout ?? 0) > 0;
    for (let l = 0; l < this.arch.numLayers; l++) {
      bytes += savedActivationBytes(savedActivationShapes({ arch: this.arch, qkNorm: this.base.qkNorms(l) !== null }, batch, seqLen));
      if (dropout && this.adapters) bytes += 4 * batch * seqLen * this.adapters.modulesOfLayer(l).reduce((sum, m) => sum + m.inFeatures, 0);
    }
    const decision = decideKeepActivations(this.keepActivations, bytes, this.memoryBytes);
    if (this.keepActivations === 'auto') this.log(`layerprune: onnx trainer ${decision.reason} (micro-batch ${batch} x ${seqLen} tokens)`);
    this.decisions.set(key, decision);
    return decision;
  }

  async loss(batch: TokenBatch): Promise<MicroBatchResult> {
    const seqLen = checkPackedBatch(batch);
    const { xs } = await this.forward(batch, seqLen, null, false);
    const ctx = this.context(batch.length, seqLen);
    const { feeds, count } = this.targets(batch, seqLen, 1);
    delete feeds.grad_weights;
    const out = await this.run('head_loss', () => buildHeadLossGraph(this.arch, { gradient: false }), { ...this.headFeeds(xs[this.arch.numLayers], ctx.rows), ...feeds }, ['loss']);
    return { loss: (out.loss.data as Float32Array)[0], tokens: count };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    this.activations.clear();
    await this.maskSource.dispose();
    await Promise.all(sessions.map(async (s) => (await s.catch(() => null))?.release()));
  }
}

/** Runs `work` now (while `running` is in flight); a failure of `running` is reported where it is awaited. */
function prepareWhile<T>(running: Promise<unknown>, work: () => T): T {
  running.catch(() => undefined);
  return work();
}

function addInto(acc: Float32Array, values: Float32Array): void {
  if (acc.length !== values.length) throw new Error(`internal: gradient of ${values.length} values for a parameter of ${acc.length}`);
  for (let i = 0; i < acc.length; i++) acc[i] += values[i];
}
