// What the training loop needs of an engine: loss and adapter gradients of one
// micro-batch, and the plain loss. The tfjs LoraRunner and @layerprune/engine-onnx's
// trainer implement it; AdamW, clipping, the schedule, accumulation and
// checkpoints (trainLora) are engine-independent and run over plain arrays.
// Like @layerprune/model's EngineFactory: this package defines the interface, an
// engine package implements it, so lora never imports an engine it may not need.
import type { SeededRng } from '@layerprune/data';
import type { BaseBits, FrozenBase } from '../frozen-base.js';
import type { LoraAdapters } from '../lora-adapters.js';
import type { TrainModelConfig } from '../train-model-config.js';

export interface MicroBatchResult {
  /** Mean next-token loss of the micro-batch (nats per predicted token). */
  loss: number;
  /** Number of predicted tokens. */
  tokens: number;
}

/** One micro-batch: packed sequences of one length >= 2 (token ids). */
export type TokenBatch = readonly (readonly number[])[];

export interface LoraTrainer {
  readonly base: FrozenBase;
  readonly adapters: LoraAdapters | null;
  /**
   * Loss of one micro-batch and the gradients of every adapter parameter (order
   * of adapters.parameters(), PEFT layouts A [r, in], B [out, r]) ADDED into
   * `grads`, scaled by `lossScale`. With `dropoutRng` every engine draws the same
   * masks: one generator forked from it per block, in block order, and from each
   * the block's masks in adapter order (blockDropoutMaskValues).
   */
  lossAndGradients(batch: TokenBatch, grads: Float32Array[], lossScale: number, dropoutRng: SeededRng | null): MicroBatchResult | Promise<MicroBatchResult>;
  /** Mean next-token loss without gradients and without dropout. */
  loss(batch: TokenBatch): MicroBatchResult | Promise<MicroBatchResult>;
  dispose(): void | Promise<void>;
}

export interface TrainerFactory {
  /** "tfjs", "onnx"... */
  readonly name: string;
  /** Why this engine cannot train `config` at `bits` on sequences of `seqLen` tokens exactly (a sentence naming the field), or null. Called before any weight is read. */
  unsupportedReason(config: TrainModelConfig, bits: BaseBits, seqLen: number): string | null;
  /** Loads the runtime; throws when it is not installed or cannot start. */
  prepare(log: (line: string) => void): Promise<PreparedTrainer>;
}

export interface PreparedTrainer {
  readonly name: string;
  /** Device / backend the engine computes on: "wasm", "cpu", "cuda"... */
  readonly backend: string;
  create(base: FrozenBase, adapters: LoraAdapters | null): Promise<LoraTrainer>;
}
