import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { compareWithFiniteDifferences, toReference } from './testing/finite-differences.js';
import { SeededRng } from '@layerprune/data';
import { referenceForward, referenceLoss } from './testing/reference-llama-f64.js';
import { createTinyModel } from './testing/tiny-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function setup(targets: string, seed = 1) {
  const model = createTinyModel(seed);
  const base = await FrozenBase.load(model.config, model.reader, 32);
  const config = resolveLoraConfig({ rank: 2, alpha: 3, dropout: 0, targetModules: targets });
  const adapters = LoraAdapters.create(config, llamaLinearShapes(model.config), new SeededRng(seed + 10));
  // B starts at zero (PEFT); give it values so that dL/dA is not zero too.
  const rng = new SeededRng(seed + 20);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.3, 0.3);
  return { model, base, adapters };
}

const batch = [
  [1, 5, 3, 9, 2, 7],
  [4, 4, 0, 10, 6, 8],
];

describe('LoraRunner (tfjs) against a float64 reference', () => {
  it('computes the same loss and logits as the independent float64 forward', async () => {
    const { model, base, adapters } = await setup('all-linear');
    const runner = new LoraRunner(base, adapters);
    const ref = referenceForward(model.config, model.weights, toReference(adapters), adapters.scaling, batch);
    expect(runner.loss(batch).loss).toBeCloseTo(ref.loss, 5);
    const logits = runner.logits(batch);
    const v = model.config.vocabSize;
    let maxDiff = 0;
    ref.logits.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - logits[(b * 6 + t) * v + i]))))));
    expect(maxDiff).toBeLessThan(1e-4);
    runner.dispose();
  });

  it('adapter gradients agree with central finite differences of the float64 loss', async () => {
    const { model, base, adapters } = await setup('all-linear', 2);
    const runner = new LoraRunner(base, adapters);
    const params = adapters.parameters();
    const grads = params.map((p) => new Float32Array(p.length));
    const { loss } = runner.lossAndGradients(batch, grads, 1, null);
    const refAdapters = toReference(adapters);
    expect(loss).toBeCloseTo(referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch), 5);

    // every 3th entry keeps the test fast while covering every module and both matrices
    const { checked, worst, gradScale } = compareWithFiniteDifferences(adapters, grads, refAdapters, () => referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch), 3);
    expect(checked).toBeGreaterThan(300);
    expect(gradScale).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(2e-3);
    runner.dispose();
  });

  it('accumulates: two half-weighted micro-batches give the gradient of the full batch', async () => {
    const { base, adapters } = await setup('mlp', 3);
    const runner = new LoraRunner(base, adapters);
    const full = adapters.parameters().map((p) => new Float32Array(p.length));
    runner.lossAndGradients(batch, full, 1, null);
    const acc = adapters.parameters().map((p) => new Float32Array(p.length));
    const halves = [runner.lossAndGradients([batch[0]], acc, 0.5, null), runner.lossAndGradients([batch[1]], acc, 0.5, null)];
    // The reported loss is the plain mean loss of each micro-batch, whatever the scale of its gradients.
    for (const [i, half] of halves.entries()) {
      const alone = runner.lossAndGradients([batch[i]], adapters.parameters().map((p) => new Float32Array(p.length)), 1, null);
      expect(half.loss).toBeCloseTo(alone.loss, 6);
    }
    let maxDiff = 0;
    full.forEach((g, k) => g.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - acc[k][i])))));
    expect(maxDiff).toBeLessThan(1e-6);
    runner.dispose();
  });
});
