import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { PackedSequences } from './packed-sequences.js';
import { SeededRng } from '@layerprune/data';
import { createTinyModel } from './testing/tiny-model.js';
import { trainLora, type TrainOptions } from './train-lora.js';
import { loadCheckpoint } from './training-checkpoint.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const model = createTinyModel(5);

function data(): PackedSequences {
  const rng = new SeededRng(11);
  // A learnable pattern: token t+1 = (token t * 3 + 1) mod vocab, random starts.
  const seqs: number[][] = [];
  for (let s = 0; s < 24; s++) {
    const seq = [rng.nextInt(model.config.vocabSize)];
    while (seq.length < 8) seq.push((seq[seq.length - 1] * 3 + 1) % model.config.vocabSize);
    seqs.push(seq);
  }
  return PackedSequences.fromSequences(seqs, 8);
}

async function runner(seed: number): Promise<LoraRunner> {
  const base = await FrozenBase.load(model.config, model.reader, 32);
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 4, alpha: 8, dropout: 0.1, targetModules: 'all-linear' }), llamaLinearShapes(model.config), new SeededRng(seed));
  return new LoraRunner(base, adapters);
}

function options(outDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { steps: 6, batchSize: 4, microBatchSize: 2, learningRate: 5e-2, warmupSteps: 2, maxGradNorm: 1, seed: 3, outDir, saveEvery: 2, resume: false, ...extra };
}

describe('trainLora', () => {
  it('lowers the training loss, logs every step and checkpoints', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lora-train-'));
    const r = await runner(1);
    const result = await trainLora(r, data(), options(out, { steps: 8 }));
    expect(result.losses).toHaveLength(8);
    expect(result.losses[7]).toBeLessThan(result.losses[0] - 0.05);
    const log = (await readFile(join(out, 'train_log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log[0].lr).toBe(0); // warmup starts at 0, as LambdaLR does
    expect(log[1].lr).toBeCloseTo(2.5e-2, 10);
    const ckpt = await loadCheckpoint(out);
    expect(ckpt?.state.step).toBe(8);
    r.dispose();
  });

  it('an interrupted run resumed from its checkpoint ends with the same adapter as an uninterrupted one', async () => {
    const outA = await mkdtemp(join(tmpdir(), 'lora-train-'));
    const a = await runner(1);
    await trainLora(a, data(), options(outA));

    const outB = await mkdtemp(join(tmpdir(), 'lora-train-'));
    const b1 = await runner(1);
    const crash = new Error('simulated crash after step 3');
    await expect(
      trainLora(b1, data(), options(outB, { onStep: (p) => { if (p.step === 3) throw crash; } })),
    ).rejects.toBe(crash);
    expect((await loadCheckpoint(outB))?.state.step).toBe(2);
    const b2 = await runner(99); // different init: everything must come from the checkpoint
    const resumed = await trainLora(b2, data(), options(outB, { resume: true }));
    expect(resumed.resumedFromStep).toBe(2);
    let maxDiff = 0;
    a.adapters!.parameters().forEach((p, k) => p.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - b2.adapters!.parameters()[k][i])))));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    const log = (await readFile(join(outB, 'train_log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
    expect(log).toEqual([1, 2, 3, 4, 5, 6]);
    [a, b1, b2].forEach((r) => r.dispose());
  });

  it('stops on a non-finite loss with a typed error and keeps the last good checkpoint', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lora-train-'));
    const r = await runner(1);
    const error = await trainLora(r, data(), options(out, {
      saveEvery: 1,
      onStep: (p) => {
        if (p.step === 2) r.adapters!.pairs[0].b.fill(Number.NaN);
      },
    })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NON_FINITE_LOSS', step: 3 });
    const ckpt = await loadCheckpoint(out);
    expect(ckpt?.state.step).toBe(2);
    expect(ckpt?.adapters.pairs.every((p) => p.b.every(Number.isFinite))).toBe(true);
    r.dispose();
  });

  it('refuses to resume with different settings', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lora-train-'));
    const r = await runner(1);
    await trainLora(r, data(), options(out, { steps: 2 }));
    await expect(trainLora(r, data(), options(out, { steps: 2, learningRate: 1e-3, resume: true }))).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', field: 'lr' });
    r.dispose();
  });
});
