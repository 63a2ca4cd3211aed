// Trainer choice from an ordered list, with fake factories: the first that
// supports the model at these bits and loads wins; each skip is logged with its reason.
import { describe, expect, it } from 'vitest';
import { LoraError } from '../lora-error.js';
import { tinyConfig } from '../testing/tiny-model.js';
import { chooseTrainer } from './choose-trainer.js';
import type { PreparedTrainer, TrainerFactory } from './lora-trainer.js';
import { tfjsTrainerFactory } from './tfjs-trainer-factory.js';

const config = tinyConfig();

function fake(name: string, behaviour: { unsupported?: string; fails?: string } = {}): TrainerFactory & { bitsSeen: number[] } {
  const bitsSeen: number[] = [];
  return {
    name,
    bitsSeen,
    unsupportedReason: (_config, bits) => {
      bitsSeen.push(bits);
      return behaviour.unsupported ?? null;
    },
    async prepare() {
      if (behaviour.fails) throw new Error(behaviour.fails);
      return { name, backend: 'cpu', create: async () => ({}) as never } satisfies PreparedTrainer;
    },
  };
}

async function choose(factories: TrainerFactory[]) {
  const lines: string[] = [];
  const choice = await chooseTrainer(factories, config, 4, 64, 'tiny', (line) => lines.push(line));
  return { name: choice.prepared.name, skipped: choice.skipped, lines };
}

async function failure(promise: Promise<unknown>): Promise<LoraError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoraError);
  return error as LoraError;
}

describe('chooseTrainer', () => {
  it('takes the first engine and logs nothing when it is the only one', async () => {
    expect(await choose([fake('tfjs')])).toEqual({ name: 'tfjs', skipped: [], lines: [] });
  });

  it('asks each engine about the model at the bits the base is stored at', async () => {
    const onnx = fake('onnx');
    await chooseTrainer([onnx], config, 16, 64, 'tiny', () => {});
    expect(onnx.bitsSeen).toEqual([16]);
  });

  it('logs the choice among several', async () => {
    const { name, lines } = await choose([fake('onnx'), fake('tfjs')]);
    expect(name).toBe('onnx');
    expect(lines).toEqual(['layerprune: training engine onnx on cpu']);
  });

  it('falls back when the first cannot train the model, and says why', async () => {
    const { name, lines } = await choose([fake('onnx', { unsupported: 'bits 16 is not supported' }), fake('tfjs')]);
    expect(name).toBe('tfjs');
    expect(lines).toEqual(['layerprune: training engine tfjs on cpu (onnx: bits 16 is not supported)']);
  });

  it('falls back when the first runtime does not load', async () => {
    const { name, skipped } = await choose([fake('onnx', { fails: 'onnxruntime-node could not be loaded' }), fake('tfjs')]);
    expect(name).toBe('tfjs');
    expect(skipped).toEqual([{ name: 'onnx', reason: 'onnxruntime-node could not be loaded' }]);
  });

  it('ENGINE_UNSUPPORTED when the only engine asked for cannot train the model', async () => {
    const error = await failure(chooseTrainer([fake('onnx', { unsupported: 'no' })], config, 4, 64, 'tiny', () => {}));
    expect(error.code).toBe('ENGINE_UNSUPPORTED');
    expect(error.message).toBe('tiny: the onnx engine cannot train this model: no');
    expect(error).toMatchObject({ field: 'engine', limit: 'onnx', file: 'tiny' });
  });

  it('the only engine failing to load rethrows its own error', async () => {
    await expect(chooseTrainer([fake('onnx', { fails: 'boom' })], config, 4, 64, 'tiny', () => {})).rejects.toThrow(/^boom$/);
  });

  it('ENGINE_UNAVAILABLE naming every engine tried when none can train', async () => {
    const error = await failure(chooseTrainer([fake('onnx', { unsupported: 'no' }), fake('tfjs', { fails: 'wasm missing' })], config, 4, 64, 'tiny', () => {}));
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe('tiny: no engine could train this model (onnx: no; tfjs: wasm missing)');
    expect((error.cause as Error).message).toBe('wasm missing');
  });

  it('an empty list is CONFIG_INVALID', async () => {
    const error = await failure(chooseTrainer([], config, 4, 64, 'tiny', () => {}));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('engine');
  });

  it('tfjs trains whatever checkTrainable accepts, at every bits', () => {
    for (const bits of [4, 16, 32] as const) expect(tfjsTrainerFactory().unsupportedReason(config, bits, 64)).toBeNull();
    expect(tfjsTrainerFactory('cpu').name).toBe('tfjs');
  });
});
