// The TensorFlow.js engine as an EngineFactory: prepare() activates the backend
// (process-wide), the engine runs every architecture resolveArchitecture accepts.
// TensorFlow.js is imported only in prepare(): importing @layerprune/model costs
// ~0.5 s less, and a model on another engine never loads it.
import type { BackendName, ConcreteBackend } from '../backend/choose-backend.js';
import type { EngineFactory } from './engine-factory.js';

/**
 * Largest float32 weight total kept resident on wasm: XNNPACK packs a second
 * copy of every matmul weight inside the same 4 GiB heap, and activations need room.
 */
export const WASM_RESIDENT_LIMIT_BYTES = 1.5 * 1024 ** 3;

/** Resident budget of a tfjs backend: the wasm heap limit, or half of `memoryBytes` elsewhere. */
export function tfjsResidentLimitBytes(backend: string, memoryBytes: number): number {
  return backend === 'wasm' ? WASM_RESIDENT_LIMIT_BYTES : memoryBytes / 2;
}

/**
 * Activates a TensorFlow.js backend (see backend/select-backend.ts); loads TensorFlow.js on first call.
 */
export async function selectBackend(name: BackendName = 'auto', log?: (line: string) => void): Promise<ConcreteBackend> {
  const module = await import('../backend/select-backend.js');
  return module.selectBackend(name, log);
}

export function tfjsEngineFactory(backend: BackendName = 'auto'): EngineFactory {
  return {
    name: 'tfjs',
    unsupportedReason: () => null,
    async prepare(log) {
      const [{ selectBackend }, { TfjsEngine }] = await Promise.all([import('../backend/select-backend.js'), import('../tfjs/tfjs-engine.js')]);
      const chosen = await selectBackend(backend, log);
      return {
        name: 'tfjs',
        backend: chosen,
        residentLimitBytes: (memoryBytes) => tfjsResidentLimitBytes(chosen, memoryBytes),
        hardResidentLimitBytes: chosen === 'wasm' ? WASM_RESIDENT_LIMIT_BYTES : null,
        create: (arch, provider, { mode }) => TfjsEngine.create(arch, provider, { mode, backend: chosen }),
      };
    },
  };
}
