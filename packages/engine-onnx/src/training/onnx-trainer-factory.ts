// The onnx LoRA trainer as a @layerprune/lora TrainerFactory: options are
// checked first, onnxruntime-node is loaded only in prepare() (and probed, so
// `auto` can fall back to tfjs with the reason).
import { FEATURE_FIELDS, missingFeatures } from '@layerprune/architectures';
import type { TrainerFactory } from '@layerprune/lora';
import { resolveOnnxOptions, type OnnxEngineOptions } from '../options.js';
import { loadRuntime } from '../runtime/load-runtime.js';
import { OnnxLoraTrainer, type OnnxTrainerOptions } from './onnx-lora-trainer.js';

export function onnxTrainerFactory(options: OnnxEngineOptions & OnnxTrainerOptions = {}): TrainerFactory {
  const resolved = resolveOnnxOptions(options);
  return {
    name: 'onnx',
    // The hand-written backward graphs cover the features @layerprune/architectures lists for
    // onnx training (the Llama / Mistral / Qwen block: GQA, biases, q/k norms, windows; Gemma 2 / 3:
    // (1 + w) and sandwich norms, embedding scale, softcaps, GeGLU, local rotary; Phi-3's fused
    // adapters) at 4, 16 or 32 bits. For a missing feature `auto` trains on tfjs and logs this
    // reason; asked for alone, chooseTrainer refuses with LoraError ENGINE_UNSUPPORTED.
    // Sliding windows are masked per layer as in inference (the call's mask input), so any seq_len trains.
    unsupportedReason: (config) => {
      const missing = missingFeatures(config, 'onnx', 'training');
      if (missing.length > 0) return `the onnx trainer does not implement ${missing.map((f) => `${f} (${FEATURE_FIELDS[f]})`).join(', ')}; the tfjs trainer does`;
      return null;
    },
    async prepare() {
      const runtime = await loadRuntime(resolved);
      return {
        name: 'onnx',
        backend: resolved.device,
        create: async (base, adapters) =>
          new OnnxLoraTrainer(base, adapters, runtime, { keepActivations: options.keepActivations, maskWorker: options.maskWorker, memoryBytes: options.memoryBytes, log: options.log }),
      };
    },
  };
}
