// What the ONNX engine runs exactly: everything @layerprune/model's
// resolveArchitecture accepts for these model types (grouped-query attention,
// rope default / linear / llama3 through the shared inverse frequencies, sliding
// windows through the shared masks, qwen2 / llama / qwen3 attention biases, qwen3's
// per-head q/k norms).
import type { Architecture } from '@layerprune/model';

export const ONNX_MODEL_TYPES: readonly string[] = ['llama', 'mistral', 'qwen2', 'qwen3'];

export function unsupportedReason(arch: Architecture): string | null {
  const type = arch.config.modelType;
  if (!ONNX_MODEL_TYPES.includes(type)) return `model_type "${type}" is not supported by the onnx engine (supported: ${ONNX_MODEL_TYPES.join(', ')})`;
  return null;
}
