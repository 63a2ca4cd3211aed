// The ONNX Runtime engine as an EngineFactory for @layerprune/model's loadModel:
// options are checked first, onnxruntime-node is loaded only in prepare().
import type { EngineFactory } from '@layerprune/model';
import { resolveOnnxOptions } from './options.js';
import type { OnnxEngineOptions } from './options.js';
import { loadRuntime } from './runtime/load-runtime.js';
import { OnnxEngine } from './onnx-engine.js';
import { unsupportedReason } from './supported-architecture.js';

export function onnxEngineFactory(options: OnnxEngineOptions = {}): EngineFactory {
  const resolved = resolveOnnxOptions(options);
  return {
    name: 'onnx',
    unsupportedReason,
    async prepare() {
      const runtime = await loadRuntime(resolved);
      return {
        name: 'onnx',
        backend: resolved.device,
        // Weights live in plain JS memory, read by onnxruntime in place: half the machine, like tfjs-node.
        residentLimitBytes: (memoryBytes) => memoryBytes / 2,
        hardResidentLimitBytes: null,
        // Blocks are read on first use, so a short generate or inspect starts without reading the whole model.
        readsWeightsLazily: true,
        create: (arch, provider, { mode }) => OnnxEngine.create(arch, provider, { mode, runtime }),
      };
    },
  };
}
