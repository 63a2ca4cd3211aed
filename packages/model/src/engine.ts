// The compute interface behind LlamaModel. An engine owns the weights on some
// runtime and answers forward and decode requests in plain arrays, so another
// runtime (e.g. onnxruntime-node) can be added without touching callers.
import type { Architecture } from './config/resolve-architecture.js';

export type WeightMode = 'resident' | 'streaming';

/** A right-padded batch: sequence b occupies ids[b * maxLength, b * maxLength + lengths[b]). */
export interface TokenBatch {
  ids: Int32Array;
  batch: number;
  maxLength: number;
  lengths: number[];
}

export type PositionSelection = 'none' | 'last' | 'all';

export interface EngineForwardRequest {
  tokens: TokenBatch;
  logits: PositionSelection;
  hidden: PositionSelection;
  /** Blocks to run as identity (their input passes through unchanged). */
  skipLayers: ReadonlySet<number>;
  /** Also return log p(ids[t + 1] | ids[..t]) for every real position t < length - 1. */
  targetLogProbs: boolean;
}

export interface EngineForwardResult {
  /** 'last': [B, V]; 'all': [B, maxLength, V]. */
  logits?: Float32Array;
  /** numLayers + 1 arrays, x(l) = input of block l, x(L) = output of the last block before the final norm. 'last': [B, H]; 'all': [B, maxLength, H]. */
  hidden?: Float32Array[];
  /** Per sequence, length lengths[b] - 1. */
  targetLogProbs?: Float32Array[];
}

/** Incremental decoding of ONE sequence with a key/value cache. */
export interface Decoder {
  /** Tokens processed so far. */
  readonly length: number;
  /** Feeds `tokens` and returns the logits [V] after the last of them. */
  append(tokens: number[]): Promise<Float32Array>;
  dispose(): void;
}

export interface Engine {
  /** e.g. "tfjs". */
  readonly name: string;
  /** Runtime backend, e.g. "wasm". */
  readonly backend: string;
  readonly architecture: Architecture;
  readonly mode: WeightMode;
  forward(request: EngineForwardRequest): Promise<EngineForwardResult>;
  createDecoder(options?: { skipLayers?: ReadonlySet<number> }): Decoder;
  dispose(): void;
}
