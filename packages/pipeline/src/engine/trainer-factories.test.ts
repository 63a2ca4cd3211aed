// trainerFactories by engineFactories' rules, with @layerprune/engine-onnx
// simulated absent (Node's error for a package that is not installed), broken,
// present (a stand-in that records the options its trainer factory was given) and
// present but from before training (no onnxTrainerFactory).
import type { TrainerFactory } from '@layerprune/lora';
import type { EngineFactory } from '@layerprune/model';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../pipeline-error.js';
import type { OnnxEngineModule } from './engine-factories.js';
import { trainerConflict, trainerFactories, type TrainerFactoriesOptions } from './trainer-factories.js';

const absent = async (): Promise<OnnxEngineModule> => {
  const error = new Error("Cannot find package '@layerprune/engine-onnx' imported from /app/node_modules/@layerprune/pipeline/dist/engine/engine-factories.js");
  throw Object.assign(error, { code: 'ERR_MODULE_NOT_FOUND' });
};
const broken = async (): Promise<OnnxEngineModule> => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file');
};

const onnxEngineFactory = (): EngineFactory => ({ name: 'onnx', unsupportedReason: () => null, prepare: () => Promise.reject(new Error('not in this test')) });

/** A stand-in engine package; `calls` holds the options onnxTrainerFactory received. */
function present(): { importOnnx: () => Promise<OnnxEngineModule>; calls: unknown[] } {
  const calls: unknown[] = [];
  const onnxTrainerFactory = (options: unknown): TrainerFactory => {
    calls.push(options);
    return { name: 'onnx', unsupportedReason: () => null, prepare: () => Promise.reject(new Error('not in this test')) };
  };
  return { importOnnx: async () => ({ onnxEngineFactory, onnxTrainerFactory }) as OnnxEngineModule, calls };
}

/** An @layerprune/engine-onnx that runs models but does not train them. */
const inferenceOnly = async (): Promise<OnnxEngineModule> => ({ onnxEngineFactory }) as unknown as OnnxEngineModule;

async function names(name: 'auto' | 'onnx' | 'tfjs', options: TrainerFactoriesOptions, importOnnx: () => Promise<OnnxEngineModule>): Promise<string[]> {
  return (await trainerFactories(name, options, { importOnnx })).map((f) => f.name);
}

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('trainerFactories', () => {
  it("tfjs: @layerprune/lora's TensorFlow.js trainer alone, without importing the onnx engine", async () => {
    let imported = false;
    const list = await trainerFactories('tfjs', { backend: 'wasm' }, { importOnnx: async () => ((imported = true), present().importOnnx()) });
    expect(list.map((f) => f.name)).toEqual(['tfjs']);
    expect(imported).toBe(false);
    // The lora factory: it trains whatever checkTrainable accepts.
    expect(list[0].unsupportedReason({} as never, 4, 64)).toBeNull();
  });

  it('onnx: the onnx trainer alone, given threads and device', async () => {
    const engine = present();
    expect(await names('onnx', { threads: 3, device: 'cpu' }, engine.importOnnx)).toEqual(['onnx']);
    expect(engine.calls).toEqual([{ device: 'cpu', threads: 3, keepActivations: false }]);
    await names('onnx', { threads: null }, engine.importOnnx);
    expect(engine.calls[1]).toEqual({ device: 'cpu', keepActivations: false });
  });

  it('onnx without the package, or when it throws: ENGINE_UNAVAILABLE with the reason', async () => {
    const error = await failure(trainerFactories('onnx', { names: { engine: '--engine' } }, { importOnnx: absent }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.field).toBe('engine');
    expect(error.message).toBe('--engine onnx: @layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)');
    expect((await failure(trainerFactories('onnx', {}, { importOnnx: broken }))).message).toBe(
      'engine onnx: @layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file',
    );
  });

  it('onnx with an engine package that does not train: ENGINE_UNAVAILABLE saying so', async () => {
    const error = await failure(trainerFactories('onnx', {}, { importOnnx: inferenceOnly }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe('engine onnx: this @layerprune/engine-onnx cannot train (it has no onnxTrainerFactory; update it)');
  });

  it('auto with the package: onnx first, tfjs as the fallback heal may take; nothing logged', async () => {
    const lines: string[] = [];
    expect(await names('auto', { log: (l) => lines.push(l) }, present().importOnnx)).toEqual(['onnx', 'tfjs']);
    expect(lines).toEqual([]);
  });

  it('auto without the package, when it throws or when it does not train: tfjs, and one line saying why onnx was skipped', async () => {
    for (const [importOnnx, why] of [
      [absent, '@layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)'],
      [broken, '@layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file'],
      [inferenceOnly, 'this @layerprune/engine-onnx cannot train (it has no onnxTrainerFactory; update it)'],
    ] as const) {
      const lines: string[] = [];
      expect(await names('auto', { log: (l) => lines.push(l) }, importOnnx)).toEqual(['tfjs']);
      expect(lines).toEqual([`layerprune: training engine onnx skipped (${why}); using tfjs`]);
    }
  });

  it('auto with a TensorFlow.js backend named: tfjs', async () => {
    expect(await names('auto', { backend: 'wasm' }, present().importOnnx)).toEqual(['tfjs']);
  });

  it('auto with device cuda: onnx alone, an error without the package', async () => {
    expect(await names('auto', { device: 'cuda' }, present().importOnnx)).toEqual(['onnx']);
    const error = await failure(trainerFactories('auto', { device: 'cuda', names: { device: '--device' } }, { importOnnx: absent }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.field).toBe('device');
    expect(error.message).toBe('--device cuda needs the onnx engine: @layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)');
  });

  it.each([
    ['tfjs', { device: 'cuda' }, 'device', 'cuda is a device of the onnx engine; engine tfjs runs on backend'],
    ['tfjs', { threads: 4 }, 'threads', '4 threads is a setting of the onnx engine; engine tfjs runs on backend'],
    ['onnx', { backend: 'wasm' }, 'backend', 'wasm is a TensorFlow.js backend; engine onnx runs on device cpu or cuda'],
    ['auto', { backend: 'wasm', device: 'cuda' }, 'device', 'cuda is a device of the onnx engine, but backend wasm is a TensorFlow.js backend: give one of them'],
  ] as const)('%s with %j: CONFIG_INVALID, as for inference', async (name, options, field, message) => {
    const error = await failure(trainerFactories(name, options, present()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: ${message}`);
  });

  it('keepActivations reaches the onnx trainer factory, false unless set', async () => {
    const engine = present();
    await names('onnx', { threads: 2, keepActivations: true }, engine.importOnnx);
    await names('auto', { keepActivations: true }, engine.importOnnx);
    await names('auto', {}, engine.importOnnx);
    expect(engine.calls).toEqual([
      { device: 'cpu', threads: 2, keepActivations: true },
      { device: 'cpu', keepActivations: true },
      { device: 'cpu', keepActivations: false },
    ]);
    // false with tfjs is no conflict: nothing is kept anywhere.
    expect(await names('tfjs', { keepActivations: false }, engine.importOnnx)).toEqual(['tfjs']);
  });

  it.each([
    ['tfjs', {}, 'keepActivations: keeping activations is a setting of the onnx trainer; engine tfjs trains on backend'],
    ['auto', { backend: 'wasm' }, 'keepActivations: keeping activations is a setting of the onnx trainer, but backend wasm is a TensorFlow.js backend: give one of them'],
    ['tfjs', { names: { engine: '--engine', backend: '--backend', keepActivations: '--keep-activations' } }, '--keep-activations: keeping activations is a setting of the onnx trainer; --engine tfjs trains on --backend'],
  ] as const)('keepActivations with %s %j: CONFIG_INVALID naming both options, the package never imported', async (name, options, message) => {
    let imported = false;
    const error = await failure(trainerFactories(name, { ...options, keepActivations: true }, { importOnnx: async () => ((imported = true), present().importOnnx()) }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('keepActivations');
    expect(error.message).toBe(message);
    expect(imported).toBe(false);
  });

  it('trainerConflict: the engine options\' own conflicts first, keepActivations only when true', () => {
    expect(trainerConflict('onnx', { backend: 'wasm', keepActivations: true })?.field).toBe('backend');
    expect(trainerConflict('tfjs', { device: 'cuda', keepActivations: true })?.field).toBe('device');
    expect(trainerConflict('tfjs', { keepActivations: false })).toBeNull();
    expect(trainerConflict('onnx', { keepActivations: true })).toBeNull();
    expect(trainerConflict('auto', { device: 'cuda', keepActivations: true })).toBeNull();
  });

  it('refuses an engine that is not in the list', async () => {
    const error = await failure(trainerFactories('gpu' as never, {}, present()));
    expect(error.message).toBe('engine: must be one of auto, onnx, tfjs, got "gpu"');
  });
});
