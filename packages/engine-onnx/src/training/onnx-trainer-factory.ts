// The onnx LoRA trainer as a @layerprune/lora TrainerFactory: options are
// checked first, onnxruntime-node is loaded only in prepare() (and probed, so
// `auto` can fall back to tfjs with the reason).
import type { TrainerFactory } from '@layerprune/lora';
import { resolveOnnxOptions, type OnnxEngineOptions } from '../options.js';
import { loadRuntime } from '../runtime/load-runtime.js';
import { OnnxLoraTrainer, type OnnxTrainerOptions } from './onnx-lora-trainer.js';

export function onnxTrainerFactory(options: OnnxEngineOptions & OnnxTrainerOptions = {}): TrainerFactory {
  const resolved = resolveOnnxOptions(options);
  return {
    name: 'onnx',
    // Every block checkTrainable accepts (llama-family, GQA, biases, qwen3 q/k norms, rope default / linear / llama3) at 4, 16 or 32 bits.
    unsupportedReason: () => null,
    async prepare() {
      const runtime = await loadRuntime(resolved);
      return {
        name: 'onnx',
        backend: resolved.device,
        create: async (base, adapters) => new OnnxLoraTrainer(base, adapters, runtime, { keepActivations: options.keepActivations }),
      };
    },
  };
}
