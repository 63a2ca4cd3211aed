import { parseLayerTensorName } from '@layerprune/architectures';

/** What a tensor of a Llama-family checkpoint is, for deciding what to quantize. */
export type TensorCategory = 'block-linear' | 'embedding' | 'lm_head' | 'norm' | 'bias' | 'other';

/**
 * Classifies a tensor by name and shape. Block linears are the 2-D `.weight`s
 * inside `model.layers.{i}` (q/k/v/o, gate/up/down): what QLoRA keeps in 4 bits.
 * Norms are every `*norm.weight`: input / post-attention, the final norm and
 * qwen3's per-head `self_attn.q_norm` / `k_norm`.
 */
export function tensorCategory(name: string, shape: readonly number[]): TensorCategory {
  if (name.endsWith('.bias')) return 'bias';
  if (name === 'lm_head.weight') return 'lm_head';
  if (name.endsWith('embed_tokens.weight')) return 'embedding';
  if (/norm\.weight$/.test(name)) return 'norm';
  const layer = parseLayerTensorName(name);
  if (layer && layer.suffix.endsWith('.weight') && shape.length === 2) return 'block-linear';
  return 'other';
}
