// @layerprune/engine-onnx as engineFactories and trainerFactories import it
// (deps.importOnnx), simulated absent, broken or present: both functions share
// one mechanism (factoriesOf), so their tests share these.
import type { TrainerFactory } from '@layerprune/lora';
import type { EngineFactory } from '@layerprune/model';
import type { OnnxEngineModule } from '../engine/engine-factories.js';

/** Node's error for `import('@layerprune/engine-onnx')` when the package is not installed. */
export const absentOnnx = async (): Promise<OnnxEngineModule> => {
  const error = new Error("Cannot find package '@layerprune/engine-onnx' imported from /app/node_modules/@layerprune/pipeline/dist/engine/engine-factories.js");
  throw Object.assign(error, { code: 'ERR_MODULE_NOT_FOUND' });
};

/** The package installed but its import throws (a native library missing). */
export const brokenOnnx = async (): Promise<OnnxEngineModule> => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file');
};

export interface PresentOnnx {
  importOnnx: () => Promise<OnnxEngineModule>;
  /** The options onnxEngineFactory received, call by call. */
  engineCalls: unknown[];
  /** The options onnxTrainerFactory received, call by call. */
  trainerCalls: unknown[];
}

/** A stand-in package that records what its factories were given; the factories never prepare anything. */
export function presentOnnx(): PresentOnnx {
  const engineCalls: unknown[] = [];
  const trainerCalls: unknown[] = [];
  const factory = { name: 'onnx', unsupportedReason: () => null, prepare: () => Promise.reject(new Error('not in this test')) };
  const onnxEngineFactory = (options?: unknown): EngineFactory => (engineCalls.push(options), factory);
  const onnxTrainerFactory = (options: unknown): TrainerFactory => (trainerCalls.push(options), factory);
  return { importOnnx: async () => ({ onnxEngineFactory, onnxTrainerFactory }) as OnnxEngineModule, engineCalls, trainerCalls };
}
