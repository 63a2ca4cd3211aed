// heal()'s `trainer` option: the factory given is the one that trains (a fake one
// wrapping the tfjs LoraRunner proves it), a list falls back with a reason, an
// engine that cannot train the model writes nothing, and a checkpoint made on one
// engine resumes on another to the same adapter.
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import { describe, expect, it } from 'vitest';
import { heal, type HealOptions } from './heal.js';
import { LoraError } from './lora-error.js';
import { LoraRunner } from './lora-runner.js';
import type { LoraTrainer, TrainerFactory } from './trainer/lora-trainer.js';
import { tfjsTrainerFactory } from './trainer/tfjs-trainer-factory.js';
import { maxAdapterDifference, readAdapter } from './testing/heal-outputs.js';

function options(out: string, extra: Partial<HealOptions> = {}): HealOptions {
  return {
    model: defaultModelDir(),
    data: defaultCalibrationFile(),
    out,
    steps: 4,
    batchSize: 2,
    microBatchSize: 1,
    seqLen: 16,
    learningRate: 2e-3,
    warmupSteps: 1,
    rank: 2,
    alpha: 4,
    dropout: 0.1,
    bits: 4,
    saveEvery: 2,
    seed: 3,
    backend: 'wasm',
    ...extra,
  };
}

/** A trainer factory named "fake" that trains with the tfjs LoraRunner, counting what it is asked. */
function fakeFactory(): TrainerFactory & { created: LoraTrainer[]; micro: number } {
  const factory = {
    name: 'fake',
    created: [] as LoraTrainer[],
    micro: 0,
    unsupportedReason: () => null,
    async prepare(log: (line: string) => void) {
      const tfjs = await tfjsTrainerFactory('wasm').prepare(log);
      return {
        name: 'fake',
        backend: `fake-${tfjs.backend}`,
        create: async (...args: ConstructorParameters<typeof LoraRunner>) => {
          const runner = new LoraRunner(...args);
          const trainer: LoraTrainer = {
            base: runner.base,
            adapters: runner.adapters,
            // Asynchronous results, as an engine on another runtime gives them.
            lossAndGradients: async (batch, grads, scale, rng) => {
              factory.micro++;
              return runner.lossAndGradients(batch, grads, scale, rng);
            },
            loss: async (batch) => runner.loss(batch),
            dispose: async () => runner.dispose(),
          };
          factory.created.push(trainer);
          return trainer;
        },
      };
    },
  };
  return factory;
}

const unsupported: TrainerFactory = {
  name: 'onnx',
  unsupportedReason: (_config, bits) => `bits ${bits} is not supported`,
  prepare: () => Promise.reject(new Error('never prepared')),
};

describe('heal: the trainer option', () => {
  it('trains on the factory given, and names it in the result, heal_result.json and the log', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-trainer-'));
    const fake = fakeFactory();
    const lines: string[] = [];
    const result = await heal(options(join(root, 'out'), { trainer: fake, log: (l) => lines.push(l) }));
    expect(fake.created).toHaveLength(1);
    expect(fake.micro).toBe(4 * 2);
    expect(result).toMatchObject({ engine: 'fake', backend: 'fake-wasm', steps: 4 });
    expect(JSON.parse(await readFile(join(root, 'out', 'heal_result.json'), 'utf8'))).toMatchObject({ engine: 'fake', backend: 'fake-wasm' });
    expect(lines).toContain('layerprune: training engine fake on fake-wasm');
  });

  it('by default trains on tfjs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-trainer-'));
    const lines: string[] = [];
    const result = await heal(options(join(root, 'out'), { steps: 1, log: (l) => lines.push(l) }));
    expect(result).toMatchObject({ engine: 'tfjs', backend: 'wasm' });
    expect(lines).toContain('layerprune: training engine tfjs on wasm');
  });

  it('a list: the first engine that can train the model, the skipped one named with its reason', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-trainer-'));
    const fake = fakeFactory();
    const lines: string[] = [];
    const result = await heal(options(join(root, 'out'), { steps: 1, trainer: [unsupported, fake], log: (l) => lines.push(l) }));
    expect(result.engine).toBe('fake');
    expect(lines).toContain('layerprune: training engine fake on fake-wasm (onnx: bits 4 is not supported)');
  });

  it('an engine that cannot train the model: ENGINE_UNSUPPORTED, nothing written', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-trainer-'));
    const out = join(root, 'out');
    const error = await heal(options(out, { trainer: [unsupported] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoraError);
    expect((error as LoraError).code).toBe('ENGINE_UNSUPPORTED');
    expect((error as LoraError).message).toBe(`${defaultModelDir()}: the onnx engine cannot train this model: bits 4 is not supported`);
    await expect(access(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a checkpoint made on tfjs resumes on another engine to the adapter of an uninterrupted run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-trainer-'));
    const straight = join(root, 'straight');
    await heal(options(straight));

    const switched = join(root, 'switched');
    const crash = new Error('stopped after step 3');
    const stopped = await heal(
      options(switched, {
        onProgress: (p) => {
          if (p.step === 3) throw crash;
        },
      }),
    ).catch((e: unknown) => e);
    expect(stopped).toBe(crash);
    const fake = fakeFactory();
    const resumed = await heal(options(switched, { resume: true, trainer: fake }));
    expect(resumed).toMatchObject({ engine: 'fake', resumedFromStep: 2, steps: 4 });
    // The tokens this call trained: the 2 steps after the checkpoint, 2 sequences of 16 tokens each.
    expect(resumed.tokens).toBe(2 * 2 * 16);
    expect(fake.micro).toBe(2 * 2);

    const a = await readAdapter(straight);
    const b = await readAdapter(switched);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(maxAdapterDifference(a, b)).toBeLessThanOrEqual(1e-6);
  });
});
