// What the ONNX engine runs exactly: every architecture feature that
// @layerprune/architectures' ENGINE_FEATURES lists for onnx inference (grouped-query
// attention, the shared rope inverse frequencies and masks, attention biases,
// q/k norms, Gemma's (1 + w) and sandwich norms, embedding scale, softcaps, GeGLU
// and per-layer rotary, Phi-3's fused projections served as logical modules by
// the weight providers). A feature missing from that list is refused here with the
// config field that asks for it, so `auto` falls back to tfjs before reading a weight.
import { FEATURE_FIELDS, missingFeatures } from '@layerprune/architectures';
import type { Architecture } from '@layerprune/model';

export function unsupportedReason(arch: Architecture): string | null {
  const missing = missingFeatures(arch.config, 'onnx', 'inference');
  if (missing.length === 0) return null;
  return `the onnx engine does not implement ${missing.map((f) => `${f} (${FEATURE_FIELDS[f]})`).join(', ')}`;
}
