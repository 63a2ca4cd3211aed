// trainerFactories by engineFactories' rules, with @layerprune/engine-onnx
// simulated absent (Node's error for a package that is not installed), broken,
// present (a stand-in that records the options its trainer factory was given) and
// present but from before training (no onnxTrainerFactory). The cases
// engineFactories answers alike are factoryChoiceCases.
import { describe, expect, it } from 'vitest';
import { factoryChoiceCases } from '../testing/factory-choice-cases.js';
import { absentOnnx, brokenOnnx, presentOnnx } from '../testing/onnx-stand-ins.js';
import { pipelineFailure } from '../testing/pipeline-failure.js';
import type { OnnxEngineModule } from './engine-factories.js';
import { trainerConflict, trainerFactories, type TrainerFactoriesOptions } from './trainer-factories.js';

/** An @layerprune/engine-onnx that runs models but does not train them. */
const inferenceOnly = async (): Promise<OnnxEngineModule> => {
  const { onnxEngineFactory } = await presentOnnx().importOnnx();
  return { onnxEngineFactory } as unknown as OnnxEngineModule;
};

async function names(name: 'auto' | 'onnx' | 'tfjs', options: TrainerFactoriesOptions, importOnnx: () => Promise<OnnxEngineModule>): Promise<string[]> {
  return (await trainerFactories(name, options, { importOnnx })).map((f) => f.name);
}

describe('trainerFactories', () => {
  factoryChoiceCases(trainerFactories);

  it("tfjs: @layerprune/lora's TensorFlow.js trainer alone, without importing the onnx engine", async () => {
    let imported = false;
    const list = await trainerFactories('tfjs', { backend: 'wasm' }, { importOnnx: async () => ((imported = true), presentOnnx().importOnnx()) });
    expect(list.map((f) => f.name)).toEqual(['tfjs']);
    expect(imported).toBe(false);
    // The lora factory: it trains whatever checkTrainable accepts.
    expect(list[0].unsupportedReason({} as never, 4, 64)).toBeNull();
  });

  it('onnx: the onnx trainer alone, given threads and device', async () => {
    const engine = presentOnnx();
    expect(await names('onnx', { threads: 3, device: 'cpu' }, engine.importOnnx)).toEqual(['onnx']);
    expect(engine.trainerCalls).toEqual([{ device: 'cpu', threads: 3, keepActivations: 'auto' }]);
    await names('onnx', { threads: null }, engine.importOnnx);
    expect(engine.trainerCalls[1]).toEqual({ device: 'cpu', keepActivations: 'auto' });
  });

  it('onnx when the package throws: ENGINE_UNAVAILABLE with the reason', async () => {
    expect((await pipelineFailure(trainerFactories('onnx', {}, { importOnnx: brokenOnnx }))).message).toBe(
      'engine onnx: @layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file',
    );
  });

  it('onnx with an engine package that does not train: ENGINE_UNAVAILABLE saying so', async () => {
    const error = await pipelineFailure(trainerFactories('onnx', {}, { importOnnx: inferenceOnly }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe('engine onnx: this @layerprune/engine-onnx cannot train (it has no onnxTrainerFactory; update it)');
  });

  it('auto without the package, when it throws or when it does not train: tfjs, and one line saying why onnx was skipped', async () => {
    for (const [importOnnx, why] of [
      [absentOnnx, '@layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)'],
      [brokenOnnx, '@layerprune/engine-onnx failed to load: libonnxruntime.so.1: cannot open shared object file'],
      [inferenceOnly, 'this @layerprune/engine-onnx cannot train (it has no onnxTrainerFactory; update it)'],
    ] as const) {
      const lines: string[] = [];
      expect(await names('auto', { log: (l) => lines.push(l) }, importOnnx)).toEqual(['tfjs']);
      expect(lines).toEqual([`layerprune: training engine onnx skipped (${why}); using tfjs`]);
    }
  });

  it("keepActivations reaches the onnx trainer factory, 'auto' unless set, with the log that says auto's choice", async () => {
    const engine = presentOnnx();
    const log = (): void => {};
    await names('onnx', { threads: 2, keepActivations: true }, engine.importOnnx);
    await names('auto', { keepActivations: false }, engine.importOnnx);
    await names('auto', {}, engine.importOnnx);
    await names('auto', { log }, engine.importOnnx);
    expect(engine.trainerCalls).toEqual([
      { device: 'cpu', threads: 2, keepActivations: true },
      { device: 'cpu', keepActivations: false },
      { device: 'cpu', keepActivations: 'auto' },
      { device: 'cpu', keepActivations: 'auto', log },
    ]);
    // false or auto with tfjs is no conflict: nothing is kept anywhere.
    expect(await names('tfjs', { keepActivations: false }, engine.importOnnx)).toEqual(['tfjs']);
    expect(await names('tfjs', { keepActivations: 'auto' }, engine.importOnnx)).toEqual(['tfjs']);
    expect(await names('auto', { backend: 'wasm', keepActivations: 'auto' }, engine.importOnnx)).toEqual(['tfjs']);
  });

  it.each([
    ['tfjs', {}, 'keepActivations: keeping activations is a setting of the onnx trainer; engine tfjs trains on backend'],
    ['auto', { backend: 'wasm' }, 'keepActivations: keeping activations is a setting of the onnx trainer, but backend wasm is a TensorFlow.js backend: give one of them'],
    ['tfjs', { names: { engine: '--engine', backend: '--backend', keepActivations: '--keep-activations' } }, '--keep-activations: keeping activations is a setting of the onnx trainer; --engine tfjs trains on --backend'],
  ] as const)('keepActivations with %s %j: CONFIG_INVALID naming both options, the package never imported', async (name, options, message) => {
    let imported = false;
    const error = await pipelineFailure(trainerFactories(name, { ...options, keepActivations: true }, { importOnnx: async () => ((imported = true), presentOnnx().importOnnx()) }));
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
});
