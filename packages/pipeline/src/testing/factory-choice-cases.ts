// The cases engineFactories and trainerFactories answer alike, since both are
// factoriesOf with another kind of factory: call inside the function's describe.
// What differs (the log line's label, an engine package that cannot train,
// keepActivations, the threads and device handed on) stays in each test file.
import { expect, it } from 'vitest';
import type { EngineFactoriesDeps, EngineFactoriesOptions, EngineName } from '../engine/engine-factories.js';
import { absentOnnx, presentOnnx } from './onnx-stand-ins.js';
import { pipelineFailure } from './pipeline-failure.js';

export type ChooseFactories = (name: EngineName, options: EngineFactoriesOptions, deps: EngineFactoriesDeps) => Promise<readonly { name: string }[]>;

export function factoryChoiceCases(choose: ChooseFactories): void {
  const names = async (name: EngineName, options: EngineFactoriesOptions, deps: EngineFactoriesDeps): Promise<string[]> => (await choose(name, options, deps)).map((f) => f.name);

  it('onnx without the package: ENGINE_UNAVAILABLE naming the package and how to install it', async () => {
    const error = await pipelineFailure(choose('onnx', { names: { engine: '--engine' } }, { importOnnx: absentOnnx }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.field).toBe('engine');
    expect(error.message).toBe('--engine onnx: @layerprune/engine-onnx is not installed (npm install @layerprune/engine-onnx)');
  });

  it('auto with the package: onnx first, tfjs as the fallback the caller may take; nothing logged', async () => {
    const lines: string[] = [];
    expect(await names('auto', { log: (l) => lines.push(l) }, presentOnnx())).toEqual(['onnx', 'tfjs']);
    expect(lines).toEqual([]);
  });

  it('auto with a TensorFlow.js backend named: tfjs (the backend would be ignored on onnx)', async () => {
    expect(await names('auto', { backend: 'wasm' }, presentOnnx())).toEqual(['tfjs']);
  });

  it('auto with device cuda: onnx alone (falling back to tfjs would drop the device), an error without the package', async () => {
    expect(await names('auto', { device: 'cuda' }, presentOnnx())).toEqual(['onnx']);
    const error = await pipelineFailure(choose('auto', { device: 'cuda', names: { device: '--device' } }, { importOnnx: absentOnnx }));
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
    const error = await pipelineFailure(choose(name, options, presentOnnx()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: ${message}`);
  });

  it('refuses an engine that is not in the list', async () => {
    const error = await pipelineFailure(choose('gpu' as never, {}, presentOnnx()));
    expect(error.message).toBe('engine: must be one of auto, onnx, tfjs, got "gpu"');
  });
}
