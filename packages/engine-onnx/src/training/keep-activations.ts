// Whether the onnx trainer keeps each block's activations from its forward for
// its backward (faster: ~1.4x a step on the bench model) or recomputes the block
// in its backward (the checkpointed memory profile). `auto` keeps them when all
// blocks' activations, and their dropout masks (kept with them), take at most a
// quarter of the machine's memory (@layerprune/model's machineMemoryBytes: total
// or cgroup limit, LAYERPRUNE_MEMORY_BYTES overrides), so a small model heals
// fast by default and a large one at a long seq_len stays within memory.
import { formatBytes } from '@layerprune/data';

export type KeepActivations = boolean | 'auto';

/** The share of machine memory `auto` lets kept activations take. */
export const KEEP_ACTIVATIONS_MEMORY_SHARE = 0.25;

export interface KeepDecision {
  keep: boolean;
  /** What keeping holds for one micro-batch (every block's activations and dropout masks), in bytes. */
  bytes: number;
  /** One line saying what was chosen and why (for `auto`). */
  reason: string;
}

/** `bytes`: what keeping would hold for one micro-batch (every block); `memory`: the machine's bytes. */
export function decideKeepActivations(setting: KeepActivations, bytes: number, memory: number): KeepDecision {
  if (setting !== 'auto') return { keep: setting, bytes, reason: setting ? 'activations kept (asked for)' : 'activations recomputed (asked for)' };
  const budget = memory * KEEP_ACTIVATIONS_MEMORY_SHARE;
  if (bytes <= budget) {
    return { keep: true, bytes, reason: `keeping every block's activations for the backward: ${formatBytes(bytes)}, within a quarter of the machine's ${formatBytes(memory)}` };
  }
  return {
    keep: false,
    bytes,
    reason: `recomputing each block's forward in its backward: keeping activations would take ${formatBytes(bytes)}, more than a quarter of the machine's ${formatBytes(memory)}`,
  };
}
