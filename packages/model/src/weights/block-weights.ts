// The weight-provider contract between storage (safetensors, in-memory arrays,
// 4-bit packed blocks dequantized on demand) and the engines. Everything is a
// plain Float32Array outside any tfjs heap, in the Hugging Face layout (linear
// weights [out, in]); the engine arranges them for fast matmuls.
import { layerTensorName, modulePath, type ArchitectureConfig, type LinearModule } from '@layerprune/architectures';

// The seven logical modules are @layerprune/architectures' (one list for the whole project).
export { ATTENTION_MODULES, LINEAR_MODULES, MLP_MODULES } from '@layerprune/architectures';
export type { LinearModule } from '@layerprune/architectures';

/** One decoder block's weights. */
export interface BlockWeights {
  /** [hidden] */
  inputLayernorm: Float32Array;
  /** [hidden] */
  postAttentionLayernorm: Float32Array;
  /** Each [outFeatures, inFeatures] row-major, as in the Hugging Face checkpoint. */
  linear: Record<LinearModule, Float32Array>;
  /** [outFeatures] where the checkpoint has one (qwen2: q/k/v; llama / qwen3 attention_bias: q/k/v/o). */
  bias: Partial<Record<LinearModule, Float32Array>>;
  /** [headDim] per-head RMSNorm weight of the queries (qwen3 `self_attn.q_norm.weight`); present exactly when config.qkNorm. */
  qNorm?: Float32Array;
  /** [headDim] per-head RMSNorm weight of the keys (qwen3 `self_attn.k_norm.weight`); present exactly when config.qkNorm. */
  kNorm?: Float32Array;
  /**
   * [hidden] Gemma's `pre_feedforward_layernorm.weight` (the MLP input norm) and
   * `post_feedforward_layernorm.weight` (the MLP output norm); present exactly when
   * config.sandwichNorms, where postAttentionLayernorm normalises the attention output.
   */
  preFeedforwardLayernorm?: Float32Array;
  postFeedforwardLayernorm?: Float32Array;
}

/** A 4-bit linear weight as stored (bitsandbytes layout): what engines with a 4-bit matmul use directly. */
export interface Packed4bitLinear {
  quantType: 'nf4' | 'fp4';
  /** Values per absmax block. */
  blockSize: number;
  /** ceil(out * in / 2) bytes of the [out, in] weight, element 2i in the high nibble of byte i. */
  packed: Uint8Array;
  /** float32 absmax per block (double quantization already undone). */
  absmax: Float32Array;
}

/** A block whose seven linear weights are all 4-bit with one quantType and blockSize; norms (q/k norms included) and biases float32. */
export interface PackedBlockWeights extends Omit<BlockWeights, 'linear'> {
  linear: Record<LinearModule, Packed4bitLinear>;
}

/**
 * Where an engine gets its weights. Unless `reusesArrays` is set, every array
 * handed out is the caller's to keep (engines may hold them as resident weights
 * without a copy). A provider that refills the same buffers (e.g. dequantizing
 * every block into one scratch block) sets `reusesArrays`: engines then copy what
 * they keep, and finish with a block's arrays before asking for the next.
 */
export interface WeightProvider {
  readonly config: ArchitectureConfig;
  /** The arrays of one call may be overwritten by the next call (see above). Default false. */
  readonly reusesArrays?: boolean;
  /** [vocab, hidden] row-major (token rows, the Hugging Face layout). */
  embedding(): Promise<Float32Array>;
  /** [hidden] */
  finalNorm(): Promise<Float32Array>;
  /** [vocab, hidden] row-major (lm_head.weight, or the embedding when tied). */
  lmHead(): Promise<Float32Array>;
  /** Weights of block `layer` (0-based, as numbered in the checkpoint). */
  getBlockWeights(layer: number): Promise<BlockWeights>;
  /**
   * Block `layer` with its linear weights still 4-bit, for engines that multiply 4-bit weights
   * directly (7x less memory than float32); null when the block is not uniformly 4-bit. Absent
   * on providers of dense weights.
   */
  getPackedBlockWeights?(layer: number): Promise<PackedBlockWeights | null>;
  close(): Promise<void>;
}

/** `model.layers.${layer}.self_attn.q_proj` etc. (append `.weight` / `.bias`). */
export function linearModulePath(layer: number, module: LinearModule): string {
  return layerTensorName(layer, modulePath(module));
}

