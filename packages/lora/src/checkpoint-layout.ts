// The linear tensors of a block as the checkpoint stores them, from
// @layerprune/architectures' checkpointLinears: where adapters go (PEFT wraps
// nn.Linear modules, so on Phi-3 it adapts the fused qkv_proj and gate_up_proj)
// and what the frozen base stores. Each carries its logical modules (the seven
// the engines compute) with their rows.
import { checkpointLinears, type ArchitectureConfig, type LinearModule, type ModulePart } from '@layerprune/architectures';

/** What the layout depends on: the sizes, and whether q/k/v and gate/up are fused (absent: not). */
export type LayoutConfig = Pick<ArchitectureConfig, 'hiddenSize' | 'intermediateSize' | 'numAttentionHeads' | 'numKeyValueHeads' | 'headDim'> &
  Partial<Pick<ArchitectureConfig, 'fusedProjections'>>;

/** One linear of a block as stored: `model.layers.{i}.${suffix}.weight` [rows, columns]. */
export interface BlockLinear {
  /** The module name PEFT matches (`target_modules`): `q_proj`, or Phi-3's `qkv_proj`. */
  readonly name: string;
  /** Block-relative path: `self_attn.qkv_proj`. */
  readonly suffix: string;
  readonly rows: number;
  readonly columns: number;
  /** Its logical modules in row order (one covering every row when unfused). */
  readonly parts: readonly ModulePart[];
}

/**
 * The block's linears in checkpoint order. Biases are not part of the layout
 * (the frozen base reads them where the checkpoint has them), so the config's
 * bias fields are irrelevant here and set off.
 */
export function checkpointLayout(config: LayoutConfig): BlockLinear[] {
  const full = { ...config, fusedProjections: config.fusedProjections === true, attentionBias: false, mlpBias: false } as ArchitectureConfig;
  return checkpointLinears(full).map((linear) => ({
    name: linear.path.slice(linear.path.lastIndexOf('.') + 1),
    suffix: linear.path,
    rows: linear.rows,
    columns: linear.columns,
    parts: linear.parts,
  }));
}

/** The stored linear holding `module`, with the module's rows in it. */
export function linearHolding(layout: readonly BlockLinear[], module: LinearModule): { linear: BlockLinear; part: ModulePart } {
  for (const linear of layout) {
    const part = linear.parts.find((p) => p.module === module);
    if (part) return { linear, part };
  }
  throw new Error(`internal: no stored linear holds ${module}`);
}
