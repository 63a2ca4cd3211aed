// engineFactories with @layerprune/engine-onnx simulated absent (Node's error for
// a package that is not installed), broken (its import throws) and present (a
// stand-in module that records the options it was given), plus the real package:
// the lists written out here agree with the engine's. The cases trainerFactories
// answers alike are factoryChoiceCases.
import { MAX_THREADS, ONNX_DEVICES } from '@layerprune/engine-onnx';
import { describe, expect, it } from 'vitest';
import { factoryChoiceCases } from '../testing/factory-choice-cases.js';
import { absentOnnx, brokenOnnx, presentOnnx } from '../testing/onnx-stand-ins.js';
import { pipelineFailure } from '../testing/pipeline-failure.js';
import { ENGINE_DEVICES, MAX_ENGINE_THREADS, engineFactories, type EngineFactoriesOptions, type OnnxEngineModule } from './engine-factories.js';

/** The engine installed but one of its own dependencies missing: a broken install, not an absent package. */
const missingDependency = async (): Promise<OnnxEngineModule> => {
  throw Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /app/node_modules/@layerprune/engine-onnx/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
};

async function names(name: 'auto' | 'onnx' | 'tfjs', options: EngineFactoriesOptions, importOnnx: () => Promise<OnnxEngineModule>): Promise<string[]> {
  return (await engineFactories(name, options, { importOnnx })).map((f) => f.name);
}

describe('engineFactories', () => {
  factoryChoiceCases(engineFactories);

  it('tfjs: TensorFlow.js alone, without importing the onnx engine', async () => {
    let imported = false;
    const list = await engineFactories('tfjs', { backend: 'wasm' }, { importOnnx: async () => ((imported = true), presentOnnx().importOnnx()) });
    expect(list.map((f) => f.name)).toEqual(['tfjs']);
    expect(imported).toBe(false);
  });

  it('onnx: the onnx factory alone, given threads and device', async () => {
    const engine = presentOnnx();
    expect(await names('onnx', { threads: 3, device: 'cpu' }, engine.importOnnx)).toEqual(['onnx']);
    expect(engine.engineCalls).toEqual([{ device: 'cpu', threads: 3 }]);
    // Unset threads stay unset (the engine's default: all cores).
    await names('onnx', { threads: null }, engine.importOnnx);
    expect(engine.engineCalls[1]).toEqual({ device: 'cpu' });
  });

  it('onnx whose import throws: ENGINE_UNAVAILABLE with the reason', async () => {
    for (const importOnnx of [brokenOnnx, missingDependency]) {
      const error = await pipelineFailure(engineFactories('onnx', {}, { importOnnx }));
      expect(error.code).toBe('ENGINE_UNAVAILABLE');
      expect(error.message).toMatch(/^engine onnx: @layerprune\/engine-onnx failed to load: (libonnxruntime|Cannot find package 'onnxruntime-node')/);
    }
  });

  it('auto without the package, or when it throws: tfjs, and one line saying why onnx was skipped', async () => {
    for (const [importOnnx, why] of [
      [absentOnnx, '@layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)'],
      [brokenOnnx, '@layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file'],
    ] as const) {
      const lines: string[] = [];
      expect(await names('auto', { log: (l) => lines.push(l) }, importOnnx)).toEqual(['tfjs']);
      expect(lines).toEqual([`layerprune: engine onnx skipped (${why}); using tfjs`]);
    }
  });

  it('the real package loads and its lists agree with the ones written out here', async () => {
    expect([...ENGINE_DEVICES]).toEqual([...ONNX_DEVICES]);
    expect(MAX_ENGINE_THREADS).toBe(MAX_THREADS);
    expect((await engineFactories('onnx', { threads: 2 })).map((f) => f.name)).toEqual(['onnx']);
  });
});
