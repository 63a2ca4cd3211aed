// Transformer-block tensor names are built and parsed in one place, so the
// `model.layers.{i}.` convention of Hugging Face Llama-family checkpoints is
// never spelled out by hand elsewhere.
import { ArchitectureError } from './errors.js';

const LAYER_NAME = /^model\.layers\.(0|[1-9]\d*)\.(.+)$/s;

/** `model.layers.${layer}.${suffix}`, e.g. layerTensorName(3, 'mlp.up_proj.weight'). */
export function layerTensorName(layer: number, suffix: string): string {
  if (!Number.isSafeInteger(layer) || layer < 0) {
    throw new ArchitectureError('INVALID_ARGUMENT', `layer index must be a non-negative integer, got ${layer}`, { field: 'layer' });
  }
  if (suffix === '') throw new ArchitectureError('INVALID_ARGUMENT', 'tensor name suffix must not be empty', { field: 'suffix' });
  return `model.layers.${layer}.${suffix}`;
}

/** Inverse of layerTensorName; null for names outside the transformer blocks (embeddings, final norm, lm_head). */
export function parseLayerTensorName(name: string): { layer: number; suffix: string } | null {
  const match = LAYER_NAME.exec(name);
  if (!match) return null;
  const layer = Number(match[1]);
  return Number.isSafeInteger(layer) ? { layer, suffix: match[2] } : null;
}
