// What a training block graph is built for (TrainBlockSpec), the names of its
// adapter and saved-activation inputs and outputs, and the graph's key: shared by
// the graph builders, the feeds and the trainer.
import type { Architecture, LinearModule } from '@layerprune/model';
import { fourBitSuffix, type FourBitLayout } from '../graph/block-graph.js';

export interface TrainBlockSpec {
  arch: Architecture;
  /** Modules of this block that carry an adapter (graph inputs `${m}_lora_a`, `${m}_lora_b`). */
  adapted: readonly LinearModule[];
  rank: number;
  /** alpha / r (or alpha / sqrt(r) with rsLoRA). */
  scaling: number;
  /** Inverted-dropout masks as inputs `${m}_dropout` [rows, in] (0 or 1/(1-p)). */
  dropout: boolean;
  /** Linears with a bias (input `${m}_bias`): those the checkpoint has (qwen2: q/k/v; llama attention_bias: q/k/v/o). */
  biased: readonly LinearModule[];
  /** qwen3: per-head RMSNorm of queries and keys before rotary (inputs q_norm, k_norm [headDim]). */
  qkNorm: boolean;
}

/**
 * What the forward hands to the backward when activations are kept (the rest is
 * recomputed from these); qProj / kProj (the projections before their norm) only with q/k norms;
 * attnOut / mlpOut (the branch outputs before their norm) only with sandwich norms.
 */
export const SAVED_ACTIVATIONS = ['x', 'n1', 'q', 'k', 'v', 'probs', 'attended', 'h', 'n2', 'gate', 'up', 'act', 'qProj', 'kProj', 'attnOut', 'mlpOut'] as const;
export type SavedActivation = (typeof SAVED_ACTIVATIONS)[number];

/** The activations a block of `spec` keeps. */
export function savedActivations(spec: Pick<TrainBlockSpec, 'qkNorm' | 'arch'>): SavedActivation[] {
  const optional: Partial<Record<SavedActivation, boolean>> = { qProj: spec.qkNorm, kProj: spec.qkNorm, attnOut: spec.arch.sandwichNorms, mlpOut: spec.arch.sandwichNorms };
  return SAVED_ACTIVATIONS.filter((s) => optional[s] ?? true);
}

/** Graph input / output names of adapter tensors and gradients. */
export const adapterName = {
  a: (m: LinearModule) => `${m}_lora_a`,
  b: (m: LinearModule) => `${m}_lora_b`,
  mask: (m: LinearModule) => `${m}_dropout`,
  gradA: (m: LinearModule) => `${m}_grad_a`,
  gradB: (m: LinearModule) => `${m}_grad_b`,
};

export const savedName = (s: SavedActivation): string => `saved_${s}`;

/** A name for the graph (and its session): what varies between blocks. */
export function trainGraphKey(kind: string, spec: TrainBlockSpec, fourBit?: FourBitLayout): string {
  const bias = spec.biased.length > 0 ? `_bias_${spec.biased.join('+')}` : '';
  return `${kind}${fourBitSuffix(fourBit)}_${spec.adapted.join('+') || 'none'}${spec.dropout ? '_dropout' : ''}${bias}${spec.qkNorm ? '_qknorm' : ''}`;
}
