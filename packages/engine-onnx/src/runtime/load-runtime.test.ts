// Runtime selection with the pieces absent: onnxruntime-node missing or broken,
// the CUDA provider not installed (true on this machine), bad options.
import { describe, expect, it } from 'vitest';
import { OnnxEngineError } from '../errors.js';
import { onnxEngineFactory } from '../onnx-engine-factory.js';
import { resolveOnnxOptions } from '../options.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bindingDir } from './cuda-provider.js';
import { loadRuntime } from './load-runtime.js';

async function errorOf(promise: Promise<unknown>): Promise<OnnxEngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OnnxEngineError);
    return error as OnnxEngineError;
  }
  throw new Error('expected a rejection');
}

describe('loadRuntime', () => {
  it('loads the bundled CPU binary and reports its version and threads', async () => {
    const runtime = await loadRuntime({ threads: 1, device: 'cpu' });
    expect(runtime.version).toMatch(/^1\.30\./);
    expect(runtime.threads).toBe(1);
    expect(runtime.device).toBe('cpu');
  });

  it('ENGINE_UNAVAILABLE when onnxruntime-node cannot be imported, with the install command', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await errorOf(loadRuntime({ threads: 1, device: 'cpu' }, { importer: () => Promise.reject(missing) }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toContain('npm install onnxruntime-node');
    expect(error.message).toContain("Cannot find package 'onnxruntime-node'");
  });

  it('ENGINE_UNAVAILABLE when the native binding throws while loading', async () => {
    const importer = () => {
      throw new Error('libonnxruntime.so.1: cannot open shared object file');
    };
    const error = await errorOf(loadRuntime({ threads: 1, device: 'cpu' }, { importer }));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toContain('libonnxruntime.so.1');
  });

  it('looks for the CUDA provider beside the native binding that loads', () => {
    expect(existsSync(join(bindingDir(), 'onnxruntime_binding.node'))).toBe(true);
  });

  it('DEVICE_UNAVAILABLE for cuda where the CUDA provider is not installed, naming how to get it', async () => {
    const error = await errorOf(loadRuntime({ threads: 1, device: 'cuda' }));
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.field).toBe('device');
    expect(error.message).toContain('--onnxruntime-node-install=cuda12');
    expect(error.message).toContain('--device cpu');
    expect(error.message).toContain('libonnxruntime_providers_cuda.so is missing');
  });

  it('with the CUDA library present, tries the provider and reports its failure as DEVICE_UNAVAILABLE', async () => {
    // The library "exists" but this build cannot start CUDA (no driver, no provider bridge).
    const error = await errorOf(loadRuntime({ threads: 1, device: 'cuda' }, { cudaProvider: () => ({ path: '/fake/libonnxruntime_providers_cuda.so', present: true }) }));
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toMatch(/could not start its CUDA execution provider/);
  });
});

describe('options', () => {
  it.each([0, -1, 1.5, 5000, Number.NaN])('threads %s is refused with the limit', (threads) => {
    expect(() => resolveOnnxOptions({ threads })).toThrow(/threads must be an integer in \[1, 1024\]/);
    expect(() => onnxEngineFactory({ threads })).toThrow(OnnxEngineError);
  });

  it('defaults to every core on the cpu', () => {
    const resolved = resolveOnnxOptions();
    expect(resolved.device).toBe('cpu');
    expect(resolved.threads).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unknown device', () => {
    expect(() => resolveOnnxOptions({ device: 'tpu' as never })).toThrow(/device must be one of cpu, cuda, got "tpu"/);
  });
});
