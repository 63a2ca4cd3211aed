// The modules of one decoder block as an engine sees them (seven linear layers,
// the norms) and as a checkpoint stores them (Phi-3 fuses q/k/v into qkv_proj and
// gate/up into gate_up_proj). Engines, LoRA and the weight providers work on the
// seven logical modules; a fused checkpoint tensor is read once and split by rows.
import type { ArchitectureConfig } from './parse-architecture-config.js';

export const LINEAR_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

export const ATTENTION_MODULES: readonly LinearModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
export const MLP_MODULES: readonly LinearModule[] = ['gate_proj', 'up_proj', 'down_proj'];

/** A logical module's rows [start, end) inside its checkpoint tensor. */
export interface ModulePart {
  module: LinearModule;
  rowStart: number;
  rowEnd: number;
}

/** A linear layer as the checkpoint stores it: `model.layers.{i}.${path}.weight` [rows, columns]. */
export interface CheckpointLinear {
  /** e.g. `self_attn.q_proj`, or Phi-3's `self_attn.qkv_proj`. */
  path: string;
  /** Its logical modules, in row order (one for an unfused module). */
  parts: ModulePart[];
  rows: number;
  columns: number;
  /** Whether `${path}.bias` exists. */
  bias: boolean;
}

/** [out, in] of a logical module. */
export function linearShape(config: ArchitectureConfig, module: LinearModule): [number, number] {
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  switch (module) {
    case 'q_proj':
      return [q, config.hiddenSize];
    case 'k_proj':
    case 'v_proj':
      return [kv, config.hiddenSize];
    case 'o_proj':
      return [config.hiddenSize, q];
    case 'gate_proj':
    case 'up_proj':
      return [config.intermediateSize, config.hiddenSize];
    case 'down_proj':
      return [config.hiddenSize, config.intermediateSize];
  }
}

/**
 * Which logical modules carry a bias, as in transformers: q/k/v when
 * attentionBias, o too unless qwen2; gate/up/down with llama's mlp_bias.
 */
export function hasLinearBias(config: ArchitectureConfig, module: LinearModule): boolean {
  if (MLP_MODULES.includes(module)) return config.mlpBias === true;
  if (!config.attentionBias) return false;
  return module !== 'o_proj' || config.modelType !== 'qwen2';
}

/** The unfused checkpoint path of a logical module: `self_attn.q_proj`, `mlp.down_proj` (append `.weight` / `.bias`). */
export function modulePath(module: LinearModule): string {
  return `${ATTENTION_MODULES.includes(module) ? 'self_attn' : 'mlp'}.${module}`;
}

function unfused(config: ArchitectureConfig, module: LinearModule): CheckpointLinear {
  const [rows, columns] = linearShape(config, module);
  const path = modulePath(module);
  return { path, parts: [{ module, rowStart: 0, rowEnd: rows }], rows, columns, bias: hasLinearBias(config, module) };
}

function fused(config: ArchitectureConfig, path: string, modules: readonly LinearModule[]): CheckpointLinear {
  const parts: ModulePart[] = [];
  let rows = 0;
  for (const module of modules) {
    const [out] = linearShape(config, module);
    parts.push({ module, rowStart: rows, rowEnd: rows + out });
    rows += out;
  }
  return { path, parts, rows, columns: linearShape(config, modules[0])[1], bias: false };
}

/** The linear tensors of one block in checkpoint order (q, k, v, o, gate, up, down; Phi-3: qkv, o, gate_up, down). */
export function checkpointLinears(config: ArchitectureConfig): CheckpointLinear[] {
  if (config.fusedProjections) {
    return [
      fused(config, 'self_attn.qkv_proj', ['q_proj', 'k_proj', 'v_proj']),
      unfused(config, 'o_proj'),
      fused(config, 'mlp.gate_up_proj', ['gate_proj', 'up_proj']),
      unfused(config, 'down_proj'),
    ];
  }
  return LINEAR_MODULES.map((module) => unfused(config, module));
}

/** Where a logical module lives in the checkpoint. */
export function checkpointLinearOf(config: ArchitectureConfig, module: LinearModule): { linear: CheckpointLinear; part: ModulePart } {
  for (const linear of checkpointLinears(config)) {
    const part = linear.parts.find((p) => p.module === module);
    if (part) return { linear, part };
  }
  throw new Error(`internal: no checkpoint tensor holds ${module}`);
}

export type BlockNorm = 'input_layernorm' | 'post_attention_layernorm' | 'pre_feedforward_layernorm' | 'post_feedforward_layernorm';

/**
 * The [hidden] norms of a block, in checkpoint order. Llama-style: input_layernorm
 * before attention, post_attention_layernorm before the MLP. Gemma (sandwichNorms):
 * post_attention_layernorm normalises the attention OUTPUT, pre_feedforward_layernorm
 * the MLP input and post_feedforward_layernorm the MLP output.
 */
export function blockNorms(config: ArchitectureConfig): BlockNorm[] {
  return config.sandwichNorms
    ? ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']
    : ['input_layernorm', 'post_attention_layernorm'];
}
