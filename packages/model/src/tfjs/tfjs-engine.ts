// The TensorFlow.js engine. Resident mode keeps every block on the backend;
// streaming mode keeps weights in the provider (plain buffers outside the tfjs
// heap) and materialises one block at a time, prefetching the next block's
// arrays while the current one computes. Besides Engine it exposes the
// per-block tensor functions training is built from (see README "Engine API").
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../config/resolve-architecture.js';
import type { Decoder, Engine, EngineForwardRequest, EngineForwardResult, WeightMode } from '../engine.js';
import { ModelError } from '../errors.js';
import type { BlockWeights, WeightProvider } from '../weights/block-weights.js';
import { blockForward } from './block.js';
import type { BlockCallOptions } from './block.js';
import { createBlockContext } from './block-context.js';
import type { BlockContext, BlockContextShape } from './block-context.js';
import { materializeBlock, normTensor } from './block-tensors.js';
import type { BlockTensors } from './block-tensors.js';
import { embedTokens } from './embed-tokens.js';
import { FrozenWeight } from './frozen-weight.js';
import type { WeightLayout } from './frozen-weight.js';
import { headLogits } from './head-tensors.js';
import type { LinearDeltaHook } from './linear-delta.js';
import type { HeadTensors } from './head-tensors.js';
import { runForward } from './run-forward.js';
import { TfjsDecoder } from './tfjs-decoder.js';

export interface AcquiredBlock {
  readonly layer: number;
  readonly tensors: BlockTensors;
  /** Streaming: disposes the block's tensors. Resident: no-op. */
  release(): void;
}

export interface AcquiredHead {
  readonly tensors: HeadTensors;
  release(): void;
}

export interface TfjsEngineOptions {
  mode: WeightMode;
  /** Backend name to report (selectBackend's answer); defaults to tf.getBackend(). */
  backend?: string;
}

const noop = (): void => {};

export class TfjsEngine implements Engine {
  readonly name = 'tfjs';
  /**
   * Applied by forward() and the decoders to every block (e.g. an unmerged LoRA adapter), so the
   * LlamaModel API (forward, tokenLogProbs, generate) runs with it; null for the plain model.
   */
  linearDelta: LinearDeltaHook | null = null;
  private disposed = false;

  private constructor(
    readonly architecture: Architecture,
    readonly provider: WeightProvider,
    readonly mode: WeightMode,
    readonly backend: string,
    private readonly embedding: Float32Array,
    private readonly finalNorm: tf.Tensor1D,
    private readonly residentBlocks: BlockTensors[] | null,
    private readonly residentHead: HeadTensors | null,
  ) {}

  /** Resident weights are multiplied as [in, out] (packed once); streamed ones as [out, in] (see FrozenWeight). */
  get layout(): WeightLayout {
    return this.mode === 'resident' ? 'in-out' : 'out-in';
  }

  static async create(architecture: Architecture, provider: WeightProvider, options: TfjsEngineOptions): Promise<TfjsEngine> {
    const { hiddenSize, vocabSize, numLayers } = architecture;
    const embedding = await provider.embedding();
    const finalNormValues = await provider.finalNorm();
    if (finalNormValues.length !== hiddenSize) throw new Error(`internal: the final norm must have hidden_size ${hiddenSize} values`);
    const finalNorm = normTensor(finalNormValues, architecture.normWeightOffset);
    let blocks: BlockTensors[] | null = null;
    let head: HeadTensors | null = null;
    if (options.mode === 'resident') {
      blocks = [];
      try {
        for (let layer = 0; layer < numLayers; layer++) blocks.push(materializeBlock(architecture.config, await provider.getBlockWeights(layer), 'in-out'));
        head = { norm: finalNorm, weight: FrozenWeight.fromOutIn(await provider.lmHead(), vocabSize, hiddenSize, 'in-out') };
      } catch (error) {
        for (const b of blocks) b.dispose();
        finalNorm.dispose();
        throw error;
      }
    }
    return new TfjsEngine(architecture, provider, options.mode, options.backend ?? tf.getBackend(), embedding, finalNorm, blocks, head);
  }

  /** Embedding rows for `ids` (times embeddingScale) as a [ids.length, hidden] tensor (a plain copy, never on a tape). */
  embed(ids: ArrayLike<number>): tf.Tensor2D {
    this.assertLive();
    const { hiddenSize, embeddingScale } = this.architecture;
    return tf.tensor2d(embedTokens(this.embedding, hiddenSize, ids, embeddingScale), [ids.length, hiddenSize]);
  }

  /** Rotary tables and masks for a call shape; dispose when done. */
  createContext(shape: BlockContextShape): BlockContext {
    return createBlockContext(this.architecture, shape);
  }

  /** Block `layer`'s tensors (resident: shared; streaming: materialised now from the provider). */
  async acquireBlock(layer: number): Promise<AcquiredBlock> {
    this.assertLive();
    this.checkLayer(layer);
    if (this.residentBlocks) return { layer, tensors: this.residentBlocks[layer], release: noop };
    const tensors = materializeBlock(this.architecture.config, await this.provider.getBlockWeights(layer), this.layout);
    return { layer, tensors, release: () => tensors.dispose() };
  }

  /**
   * Acquires `layers` in order. Streaming: block i+1's arrays are requested from
   * the provider right after block i is copied to the backend, so disk reads or
   * dequantization overlap block i's compute; each block is released when the
   * consumer moves on (or stops).
   */
  async *blocks(layers: readonly number[]): AsyncGenerator<AcquiredBlock, void, undefined> {
    this.assertLive();
    for (const layer of layers) this.checkLayer(layer);
    if (this.residentBlocks) {
      for (const layer of layers) yield { layer, tensors: this.residentBlocks[layer], release: noop };
      return;
    }
    const request = (i: number) => {
      const p = this.provider.getBlockWeights(layers[i]);
      p.catch(noop); // handled when awaited; avoids an unhandled rejection if the consumer stops first
      return p;
    };
    let pending = layers.length > 0 ? request(0) : null;
    for (let i = 0; i < layers.length; i++) {
      const tensors = materializeBlock(this.architecture.config, await (pending as Promise<BlockWeights>), this.layout);
      pending = i + 1 < layers.length ? request(i + 1) : null;
      try {
        yield { layer: layers[i], tensors, release: () => tensors.dispose() };
      } finally {
        tensors.dispose();
      }
    }
  }

  /** blockForward for this engine's architecture: [rows, hidden] -> [rows, hidden]. `options.linearDelta` overrides the engine's. */
  runBlock(block: AcquiredBlock, x: tf.Tensor2D, ctx: BlockContext, options: Omit<BlockCallOptions, 'layer'> = {}): tf.Tensor2D {
    const linearDelta = options.linearDelta ?? this.linearDelta ?? undefined;
    return blockForward(this.architecture, block.tensors, x, ctx, { ...options, linearDelta, layer: block.layer });
  }

  /** The final norm and lm_head (streaming: the head weight is materialised now). */
  async acquireHead(): Promise<AcquiredHead> {
    this.assertLive();
    if (this.residentHead) return { tensors: this.residentHead, release: noop };
    const { hiddenSize, vocabSize } = this.architecture;
    const weight = FrozenWeight.fromOutIn(await this.provider.lmHead(), vocabSize, hiddenSize, this.layout);
    return { tensors: { norm: this.finalNorm, weight }, release: () => weight.dispose() };
  }

  /** logits [rows, vocab] from x(L) [rows, hidden]; differentiable in x. */
  logits(x: tf.Tensor2D, head: AcquiredHead): tf.Tensor2D {
    return headLogits(x, head.tensors, this.architecture.rmsNormEps, this.architecture.finalLogitSoftcap);
  }

  forward(request: EngineForwardRequest): Promise<EngineForwardResult> {
    this.assertLive();
    return runForward(this, request);
  }

  createDecoder(options: { skipLayers?: ReadonlySet<number> } = {}): Decoder {
    this.assertLive();
    return new TfjsDecoder(this, options.skipLayers ?? new Set());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.residentBlocks ?? []) b.dispose();
    this.residentHead?.weight.dispose();
    this.finalNorm.dispose();
  }

  private checkLayer(layer: number): void {
    const n = this.architecture.numLayers;
    if (!Number.isInteger(layer) || layer < 0 || layer >= n) {
      throw new ModelError('LAYER_OUT_OF_RANGE', `${this.architecture.source}: layer ${layer} is outside [0, ${n})`, { file: this.architecture.source, limit: n });
    }
  }

  private assertLive(): void {
    if (this.disposed) throw new ModelError('DISPOSED', `${this.architecture.source}: the model was disposed`, { file: this.architecture.source });
  }
}
