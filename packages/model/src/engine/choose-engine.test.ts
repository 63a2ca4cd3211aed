// Engine choice from an ordered list, with fake factories: the first that
// supports the architecture and loads wins; each skip is logged with its reason.
import { describe, expect, it } from 'vitest';
import { resolveArchitecture } from '../config/resolve-architecture.js';
import { ModelError } from '../errors.js';
import { randomModel } from '../testing/random-model.js';
import { chooseEngine } from './choose-engine.js';
import type { EngineFactory, PreparedEngine } from './engine-factory.js';

const arch = resolveArchitecture(randomModel().config, {}, 'tiny/config.json');

function fake(name: string, behaviour: { unsupported?: string; fails?: string } = {}): EngineFactory {
  return {
    name,
    unsupportedReason: () => behaviour.unsupported ?? null,
    async prepare() {
      if (behaviour.fails) throw new Error(behaviour.fails);
      return { name, backend: 'cpu', residentLimitBytes: (m) => m, hardResidentLimitBytes: null, create: async () => ({}) as never } satisfies PreparedEngine;
    },
  };
}

async function choose(factories: EngineFactory[]) {
  const lines: string[] = [];
  const choice = await chooseEngine(factories, arch, (line) => lines.push(line));
  return { name: choice.prepared.name, skipped: choice.skipped, lines };
}

describe('chooseEngine', () => {
  it('takes the first engine and logs nothing when it is the only one', async () => {
    expect(await choose([fake('tfjs')])).toEqual({ name: 'tfjs', skipped: [], lines: [] });
  });

  it('logs the choice among several', async () => {
    const { name, lines } = await choose([fake('onnx'), fake('tfjs')]);
    expect(name).toBe('onnx');
    expect(lines).toEqual(['layerprune: engine onnx on cpu']);
  });

  it('falls back when the first does not support the model, and says why', async () => {
    const { name, lines } = await choose([fake('onnx', { unsupported: 'model_type "gemma2" is not supported' }), fake('tfjs')]);
    expect(name).toBe('tfjs');
    expect(lines).toEqual(['layerprune: engine tfjs on cpu (onnx: model_type "gemma2" is not supported)']);
  });

  it('falls back when the first runtime does not load', async () => {
    const { name, skipped } = await choose([fake('onnx', { fails: 'onnxruntime-node could not be loaded' }), fake('tfjs')]);
    expect(name).toBe('tfjs');
    expect(skipped).toEqual([{ name: 'onnx', reason: 'onnxruntime-node could not be loaded' }]);
  });

  it('ENGINE_UNSUPPORTED when the only engine asked for cannot run the model', async () => {
    const error = await chooseEngine([fake('onnx', { unsupported: 'no' })], arch, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('ENGINE_UNSUPPORTED');
    expect((error as ModelError).message).toBe('tiny/config.json: the onnx engine cannot run this model: no');
  });

  it('the only engine failing to load rethrows its own error', async () => {
    await expect(chooseEngine([fake('onnx', { fails: 'boom' })], arch, () => {})).rejects.toThrow(/^boom$/);
  });

  it('ENGINE_UNAVAILABLE naming every engine tried when none can run', async () => {
    const error = (await chooseEngine([fake('onnx', { unsupported: 'no' }), fake('tfjs', { fails: 'wasm missing' })], arch, () => {}).catch((e: unknown) => e)) as ModelError;
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toContain('onnx: no; tfjs: wasm missing');
  });
});
