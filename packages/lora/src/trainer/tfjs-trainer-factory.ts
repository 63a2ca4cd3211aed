// The TensorFlow.js trainer (LoraRunner) as a TrainerFactory: prepare() activates
// the backend (process-wide), the trainer trains every model checkTrainable accepts.
// LoraRunner is imported in prepare(), like @layerprune/model's tfjsEngineFactory.
import { selectBackend, type BackendName } from '@layerprune/model';
import type { TrainerFactory } from './lora-trainer.js';

export function tfjsTrainerFactory(backend: BackendName = 'auto'): TrainerFactory {
  return {
    name: 'tfjs',
    // checkTrainable (which heal runs first) is exactly what the tfjs trainer implements.
    unsupportedReason: () => null,
    async prepare(log) {
      const [{ LoraRunner }, chosen] = await Promise.all([import('../lora-runner.js'), selectBackend(backend, log)]);
      return {
        name: 'tfjs',
        backend: chosen,
        create: async (base, adapters) => new LoraRunner(base, adapters),
      };
    },
  };
}
