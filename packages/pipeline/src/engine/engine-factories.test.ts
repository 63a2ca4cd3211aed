// engineFactories with @layerprune/engine-onnx simulated absent (Node's error for
// a package that is not installed), broken (its import throws) and present (a
// stand-in module that records the options it was given), plus the real package:
// the lists written out here agree with the engine's.
import type { EngineFactory } from '@layerprune/model';
import { MAX_THREADS, ONNX_DEVICES } from '@layerprune/engine-onnx';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../pipeline-error.js';
import { ENGINE_DEVICES, MAX_ENGINE_THREADS, engineFactories, type EngineFactoriesOptions, type OnnxEngineModule } from './engine-factories.js';

/** What Node throws for `import('@layerprune/engine-onnx')` when the package is not installed. */
function notInstalled(): Error {
  const error = new Error("Cannot find package '@layerprune/engine-onnx' imported from /app/node_modules/@layerprune/pipeline/dist/engine/engine-factories.js");
  return Object.assign(error, { code: 'ERR_MODULE_NOT_FOUND' });
}

const absent = async (): Promise<OnnxEngineModule> => {
  throw notInstalled();
};
const broken = async (): Promise<OnnxEngineModule> => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file');
};
/** The engine installed but one of its own dependencies missing: a broken install, not an absent package. */
const missingDependency = async (): Promise<OnnxEngineModule> => {
  throw Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /app/node_modules/@layerprune/engine-onnx/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
};

/** A stand-in engine package; `calls` holds the options onnxEngineFactory received. */
function present(): { importOnnx: () => Promise<OnnxEngineModule>; calls: unknown[] } {
  const calls: unknown[] = [];
  const onnxEngineFactory = (options?: unknown): EngineFactory => {
    calls.push(options);
    return { name: 'onnx', unsupportedReason: () => null, prepare: () => Promise.reject(new Error('not in this test')) };
  };
  return { importOnnx: async () => ({ onnxEngineFactory }) as OnnxEngineModule, calls };
}

async function names(name: 'auto' | 'onnx' | 'tfjs', options: EngineFactoriesOptions, importOnnx: () => Promise<OnnxEngineModule>): Promise<string[]> {
  return (await engineFactories(name, options, { importOnnx })).map((f) => f.name);
}

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('engineFactories', () => {
  it('tfjs: TensorFlow.js alone, without importing the onnx engine', async () => {
    let imported = false;
    const list = await engineFactories('tfjs', { backend: 'wasm' }, { importOnnx: async () => ((imported = true), present().importOnnx()) });
    expect(list.map((f) => f.name)).toEqual(['tfjs']);
    expect(imported).toBe(false);
  });

  it('onnx: the onnx factory alone, given threads and device', async () => {
    const engine = present();
    expect(await names('onnx', { threads: 3, device: 'cpu' }, engine.importOnnx)).toEqual(['onnx']);
    expect(engine.calls).toEqual([{ device: 'cpu', threads: 3 }]);
    // Unset threads stay unset (the engine's default: all cores).
    await names('onnx', { threads: null }, engine.importOnnx);
    expect(engine.calls[1]).toEqual({ device: 'cpu' });
  });

  it('onnx without the package: ENGINE_UNAVAILABLE naming the package and how to install it', async () => {
    const error = await failure(engineFactories('onnx', { names: { engine: '--engine' } }, { importOnnx: absent }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.field).toBe('engine');
    expect(error.message).toBe('--engine onnx: @layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)');
  });

  it('onnx whose import throws: ENGINE_UNAVAILABLE with the reason', async () => {
    for (const importOnnx of [broken, missingDependency]) {
      const error = await failure(engineFactories('onnx', {}, { importOnnx }));
      expect(error.code).toBe('ENGINE_UNAVAILABLE');
      expect(error.message).toMatch(/^engine onnx: @layerprune\/engine-onnx failed to load: (libonnxruntime|Cannot find package 'onnxruntime-node')/);
    }
  });

  it('auto with the package: onnx first, tfjs as the fallback loadModel may take; nothing logged', async () => {
    const lines: string[] = [];
    expect(await names('auto', { log: (l) => lines.push(l) }, present().importOnnx)).toEqual(['onnx', 'tfjs']);
    expect(lines).toEqual([]);
  });

  it('auto without the package, or when it throws: tfjs, and one line saying why onnx was skipped', async () => {
    for (const [importOnnx, why] of [
      [absent, '@layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)'],
      [broken, '@layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file'],
    ] as const) {
      const lines: string[] = [];
      expect(await names('auto', { log: (l) => lines.push(l) }, importOnnx)).toEqual(['tfjs']);
      expect(lines).toEqual([`layerprune: engine onnx skipped (${why}); using tfjs`]);
    }
  });

  it('auto with a TensorFlow.js backend named: tfjs (the backend would be ignored on onnx)', async () => {
    expect(await names('auto', { backend: 'wasm' }, present().importOnnx)).toEqual(['tfjs']);
  });

  it('auto with device cuda: onnx alone (falling back to tfjs would drop the device), an error without the package', async () => {
    expect(await names('auto', { device: 'cuda' }, present().importOnnx)).toEqual(['onnx']);
    const error = await failure(engineFactories('auto', { device: 'cuda', names: { device: '--device' } }, { importOnnx: absent }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.field).toBe('device');
    expect(error.message).toBe('--device cuda needs the onnx engine: @layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)');
  });

  it.each([
    ['tfjs', { device: 'cuda' }, 'device', 'cuda is a device of the onnx engine; engine tfjs runs on backend'],
    ['tfjs', { threads: 4 }, 'threads', '4 threads is a setting of the onnx engine; engine tfjs runs on backend'],
    ['onnx', { backend: 'wasm' }, 'backend', 'wasm is a TensorFlow.js backend; engine onnx runs on device cpu or cuda'],
    ['auto', { backend: 'wasm', device: 'cuda' }, 'device', 'cuda is a device of the onnx engine, but backend wasm is a TensorFlow.js backend: give one of them'],
  ] as const)('%s with %j: CONFIG_INVALID, one of them would be ignored', async (name, options, field, message) => {
    const error = await failure(engineFactories(name, options, present()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: ${message}`);
  });

  it('refuses an engine that is not in the list', async () => {
    const error = await failure(engineFactories('gpu' as never, {}, present()));
    expect(error.message).toBe('engine: must be one of auto, onnx, tfjs, got "gpu"');
  });

  it('the real package loads and its lists agree with the ones written out here', async () => {
    expect([...ENGINE_DEVICES]).toEqual([...ONNX_DEVICES]);
    expect(MAX_ENGINE_THREADS).toBe(MAX_THREADS);
    expect((await engineFactories('onnx', { threads: 2 })).map((f) => f.name)).toEqual(['onnx']);
  });
});
