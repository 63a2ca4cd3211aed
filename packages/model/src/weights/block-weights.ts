// The weight-provider contract between storage (safetensors, in-memory arrays,
// 4-bit packed blocks dequantized on demand) and the engines. Everything is a
// plain Float32Array outside any tfjs heap, in the Hugging Face layout (linear
// weights [out, in]); the engine arranges them for fast matmuls.
import type { LlamaFamilyConfig } from '@layerprune/tensor-io';

export const LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

export const ATTENTION_MODULES: readonly LinearModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
export const MLP_MODULES: readonly LinearModule[] = ['gate_proj', 'up_proj', 'down_proj'];

/** One decoder block's weights. */
export interface BlockWeights {
  /** [hidden] */
  inputLayernorm: Float32Array;
  /** [hidden] */
  postAttentionLayernorm: Float32Array;
  /** Each [outFeatures, inFeatures] row-major, as in the Hugging Face checkpoint. */
  linear: Record<LinearModule, Float32Array>;
  /** [outFeatures] where the checkpoint has one (qwen2: q/k/v; llama attention_bias: q/k/v/o). */
  bias: Partial<Record<LinearModule, Float32Array>>;
}

/**
 * Where an engine gets its weights. Arrays handed out may be reused by the
 * provider after the engine has copied them into backend tensors, which it does
 * before calling the provider again (so a 4-bit provider can dequantize every
 * block into the same buffers).
 */
export interface WeightProvider {
  readonly config: LlamaFamilyConfig;
  /** [vocab, hidden] row-major (token rows, the Hugging Face layout). */
  embedding(): Promise<Float32Array>;
  /** [hidden] */
  finalNorm(): Promise<Float32Array>;
  /** [vocab, hidden] row-major (lm_head.weight, or the embedding when tied). */
  lmHead(): Promise<Float32Array>;
  /** Weights of block `layer` (0-based, as numbered in the checkpoint). */
  getBlockWeights(layer: number): Promise<BlockWeights>;
  close(): Promise<void>;
}

const MODULE_PATH: Readonly<Record<LinearModule, string>> = {
  q_proj: 'self_attn.q_proj',
  k_proj: 'self_attn.k_proj',
  v_proj: 'self_attn.v_proj',
  o_proj: 'self_attn.o_proj',
  gate_proj: 'mlp.gate_proj',
  up_proj: 'mlp.up_proj',
  down_proj: 'mlp.down_proj',
};

/** `model.layers.${layer}.self_attn.q_proj` etc. (append `.weight` / `.bias`). */
export function linearModulePath(layer: number, module: LinearModule): string {
  return `model.layers.${layer}.${MODULE_PATH[module]}`;
}

/** [inFeatures, outFeatures] of a linear module. */
export function linearShape(config: LlamaFamilyConfig, module: LinearModule): [number, number] {
  const hidden = config.hiddenSize;
  const qOut = config.numAttentionHeads * config.headDim;
  const kvOut = config.numKeyValueHeads * config.headDim;
  switch (module) {
    case 'q_proj':
      return [hidden, qOut];
    case 'k_proj':
    case 'v_proj':
      return [hidden, kvOut];
    case 'o_proj':
      return [qOut, hidden];
    case 'gate_proj':
    case 'up_proj':
      return [hidden, config.intermediateSize];
    case 'down_proj':
      return [config.intermediateSize, hidden];
  }
}
