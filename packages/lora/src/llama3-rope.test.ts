// Llama 3.x rope ("llama3" rope_scaling) in training: the trainer uses the model
// runtime's inverse frequencies (resolveArchitecture(...).invFreq), so its loss,
// gradients and logits agree with the independent float64 reference (llama3
// frequencies computed there from transformers' formula) and with loadModel, and
// heal runs on such a model.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@layerprune/data';
import { loadModel, resolveArchitecture } from '@layerprune/model';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { heal } from './heal.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraError } from './lora-error.js';
import { LoraRunner } from './lora-runner.js';
import { compareWithFiniteDifferences, toReference } from './testing/finite-differences.js';
import { referenceForward, referenceInvFreq, referenceLoss } from './testing/reference-llama-f64.js';
import { createTinyModel, tinyConfig, type TinyModel } from './testing/tiny-model.js';
import { writeTinyModelDir } from './testing/write-tiny-model-dir.js';
import { checkTrainable } from './train-model-config.js';
import { trainArchitecture } from './train-architecture.js';

// A small original context, so the scaling changes the frequencies at the positions used here.
const LLAMA3_ROPE = { ropeType: 'llama3', rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 };
const OVERRIDES = { ropeTheta: 500000, ropeScaling: LLAMA3_ROPE, headDim: 8, numAttentionHeads: 2, numKeyValueHeads: 1 };

const batch = [
  [1, 5, 3, 9, 2, 7, 0, 4, 6, 10],
  [4, 4, 0, 10, 6, 8, 1, 2, 3, 5],
];
const T = batch[0].length;

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'lora-llama3-rope-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function setup(seed: number): Promise<{ model: TinyModel; runner: LoraRunner; adapters: LoraAdapters }> {
  const model = createTinyModel(seed, OVERRIDES);
  const base = await FrozenBase.load(model.config, model.reader, 32);
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, alpha: 3, dropout: 0, targetModules: 'all-linear' }), llamaLinearShapes(model.config), new SeededRng(seed + 10));
  const rng = new SeededRng(seed + 20);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.3, 0.3);
  return { model, runner: new LoraRunner(base, adapters), adapters };
}

describe('training with llama3 rope_scaling', () => {
  it('is accepted for training; the frequencies it trains with are the float64 llama3 ones, and differ from unscaled rope', () => {
    const config = tinyConfig(OVERRIDES);
    expect(() => checkTrainable(config, 'heal')).not.toThrow();
    const trained = trainArchitecture(config).invFreq;
    const expected = referenceInvFreq(config);
    const plain = referenceInvFreq({ ...config, ropeScaling: null });
    for (let i = 0; i < expected.length; i++) expect(Math.abs(trained[i] - expected[i]) / expected[i]).toBeLessThan(1e-6);
    // Every frequency is scaled here (the highest one smoothly, the others by 1/factor).
    for (let i = 0; i < expected.length; i++) expect(expected[i]).toBeLessThan(plain[i] * 0.95);
    expect(Math.abs(expected[1] - plain[1] / 8) / expected[1]).toBeLessThan(1e-12);
  });

  it('still refuses rope types the runtime does not implement, naming the field and the supported types', () => {
    const config = tinyConfig({ ropeScaling: { ropeType: 'yarn', factor: 4 } });
    expect(() => checkTrainable(config, 'heal')).toThrow(LoraError);
    expect(() => checkTrainable(config, 'heal')).toThrow('heal: rope_scaling type "yarn" is not supported for training (default, linear, llama3)');
    // A llama3 config missing a parameter is refused by the runtime's rope code, before anything is built.
    const missing = tinyConfig({ ropeScaling: { ropeType: 'llama3', factor: 8, high_freq_factor: 4, original_max_position_embeddings: 8 } });
    expect(() => checkTrainable(missing, 'heal')).toThrow(/heal: rope_scaling\.low_freq_factor must be a positive number/);
  });

  it('loss and logits equal the float64 reference', async () => {
    const { model, runner, adapters } = await setup(1);
    const ref = referenceForward(model.config, model.weights, toReference(adapters), adapters.scaling, batch);
    // The same reference without the scaling is far off: the test would see a wrong rope.
    const unscaled = referenceForward({ ...model.config, ropeScaling: null }, model.weights, toReference(adapters), adapters.scaling, batch);
    expect(Math.abs(unscaled.loss - ref.loss)).toBeGreaterThan(1e-3);
    expect(runner.loss(batch).loss).toBeCloseTo(ref.loss, 5);
    const logits = runner.logits(batch);
    const v = model.config.vocabSize;
    let maxDiff = 0;
    ref.logits.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - logits[(b * T + t) * v + i]))))));
    expect(maxDiff).toBeLessThan(1e-4);
    runner.dispose();
  });

  it('adapter gradients agree with central finite differences of the float64 loss', async () => {
    const { model, runner, adapters } = await setup(2);
    const grads = adapters.parameters().map((p) => new Float32Array(p.length));
    const { loss } = runner.lossAndGradients(batch, grads, 1, null);
    const refAdapters = toReference(adapters);
    expect(loss).toBeCloseTo(referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch), 5);
    // every 5th entry keeps the test fast while covering every module and both matrices
    const { checked, worst, gradScale } = compareWithFiniteDifferences(adapters, grads, refAdapters, () => referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch), 5);
    expect(checked).toBeGreaterThan(100);
    expect(gradScale).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(2e-3);
    runner.dispose();
  });

  it("the training path's logits equal loadModel's within 1e-4", async () => {
    const model = createTinyModel(3, OVERRIDES);
    const dir = await writeTinyModelDir(join(root, 'model-logits'), model);
    // The directory round-trips the rope settings: the runtime resolves the same llama3 frequencies.
    const opened = await openModelDir(dir);
    const arch = resolveArchitecture(opened.config, opened.rawConfig, dir);
    await opened.close();
    expect(Array.from(arch.invFreq)).toEqual(Array.from(trainArchitecture(model.config).invFreq));
    expect(arch.config.ropeScaling?.ropeType).toBe('llama3');

    const runner = new LoraRunner(await FrozenBase.load(model.config, model.reader, 32), null);
    const trainLogits = runner.logits(batch);
    runner.dispose();
    const loaded = await loadModel(dir, { backend: 'cpu', log: () => {} });
    try {
      const v = model.config.vocabSize;
      const expected = (await loaded.forward(batch, { logits: 'all' })).logits!;
      expect(expected.length).toBe(batch.length * T * v);
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - trainLogits[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      loaded.dispose();
    }
  });

  it('a short heal completes', async () => {
    const model = createTinyModel(4, OVERRIDES);
    const dir = await writeTinyModelDir(join(root, 'model-heal'), model);
    const data = join(root, 'train.txt');
    await writeFile(data, Array.from({ length: 40 }, (_, i) => `document ${i}: the quick brown fox jumps over the lazy dog ${i * 7}`).join('\n\n'));
    const tokenizer = { encode: (text: string): number[] => Array.from(text, (ch) => ch.charCodeAt(0) % model.config.vocabSize) };
    const result = await heal({
      model: dir,
      data,
      out: join(root, 'healed'),
      steps: 3,
      batchSize: 2,
      microBatchSize: 1,
      seqLen: 16,
      learningRate: 1e-3,
      warmupSteps: 1,
      rank: 2,
      alpha: 4,
      bits: 4,
      saveEvery: 0,
      backend: 'wasm',
      tokenizer,
    });
    expect(result.steps).toBe(3);
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    const log = (await readFile(result.logPath, 'utf8')).trim().split('\n');
    expect(log).toHaveLength(3);
  });
});
