// Training Gemma 2 and Gemma 3 text blocks on tfjs (LoraRunner runs
// @layerprune/model's blockForward): FrozenBase loads the sandwich norms, the
// runner scales the embeddings and softcaps the head, so the loss, the logits and
// the adapter gradients equal the independent float64 reference and its finite
// differences. The configs come from config.json fields through
// @layerprune/architectures, as heal gets them, with softcaps small enough to
// bend the scores and logits and a sliding window (4) shorter than the sequence.
import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@layerprune/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { toReference } from './testing/finite-differences.js';
import { referenceForward } from './testing/reference-llama-f64.js';
import { expectGradientsMatchFiniteDifferences, expectLossFalls } from './testing/runner-checks.js';
import { gemmaTestConfigs } from './testing/gemma-test-configs.js';
import { createTinyModel } from './testing/tiny-model.js';
import { checkTrainable, type TrainModelConfig } from './train-model-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const FAMILIES: Record<string, TrainModelConfig> = gemmaTestConfigs(4);

const batch = [
  [1, 5, 3, 9, 2, 7],
  [4, 4, 0, 10, 6, 8],
];

async function setup(config: TrainModelConfig, seed: number, targets = 'all-linear', bits: 4 | 32 = 32) {
  const model = createTinyModel(seed, config);
  const base = await FrozenBase.load(model.config, model.reader, bits);
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, alpha: 3, dropout: 0, targetModules: targets }), llamaLinearShapes(model.config), new SeededRng(seed + 10));
  // B starts at zero (PEFT); give it values so that dL/dA is not zero too.
  const rng = new SeededRng(seed + 20);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.3, 0.3);
  return { model, base, adapters };
}

describe.each(Object.entries(FAMILIES))('LoraRunner (tfjs) on %s against the float64 reference', (family, config) => {
  it('checkTrainable accepts it; FrozenBase loads the feed-forward norms, and refuses a base without one', async () => {
    expect(config.hiddenAct).toBe('gelu_pytorch_tanh');
    expect(() => checkTrainable(config, family)).not.toThrow();
    expect(() => checkTrainable({ ...config, hiddenAct: 'gelu' }, family)).toThrow(/hidden_act "gelu" is not supported for training/);
    const { model, base } = await setup(config, 1);
    const block = base.blockWeights(1, new Map());
    expect(block.preFeedforwardLayernorm).toEqual(model.weights.get('model.layers.1.pre_feedforward_layernorm.weight'));
    expect(block.postFeedforwardLayernorm).toEqual(model.weights.get('model.layers.1.post_feedforward_layernorm.weight'));
    model.weights.delete('model.layers.1.post_feedforward_layernorm.weight');
    await expect(FrozenBase.load(model.config, model.reader, 32)).rejects.toMatchObject({ code: 'UNSUPPORTED_MODEL', field: 'model.layers.1.post_feedforward_layernorm.weight' });
  });

  it('computes the loss and logits of the float64 forward (which differ without each Gemma feature)', async () => {
    const { model, base, adapters } = await setup(config, 3);
    const runner = new LoraRunner(base, adapters);
    const refAdapters = toReference(adapters);
    const ref = referenceForward(model.config, model.weights, refAdapters, adapters.scaling, batch);
    expect(runner.loss(batch).loss).toBeCloseTo(ref.loss, 5);
    const logits = runner.logits(batch);
    const v = model.config.vocabSize;
    let maxDiff = 0;
    ref.logits.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - logits[(b * 6 + t) * v + i]))))));
    console.log(`${family} LoraRunner (tfjs cpu) vs float64 reference: max |logit diff| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-4);
    const without: Partial<TrainModelConfig>[] = [
      { normWeightOffset: 0 },
      { sandwichNorms: false },
      { embeddingScale: 1 },
      { hiddenAct: 'silu' },
      { slidingWindow: null },
      ...(config.attnLogitSoftcap !== null ? [{ attnLogitSoftcap: null }, { finalLogitSoftcap: null }] : []),
      ...(config.localRopeTheta !== null ? [{ localRopeTheta: null }, { ropeScaling: null }] : []),
    ];
    for (const change of without) {
      const shifted = referenceForward({ ...model.config, ...change }, model.weights, refAdapters, adapters.scaling, batch).logits;
      let shift = 0;
      shifted.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (shift = Math.max(shift, Math.abs(x - ref.logits[b][t][i]))))));
      expect(shift, JSON.stringify(change)).toBeGreaterThan(1e-2);
    }
    runner.dispose();
  });

  it('adapter gradients agree with central finite differences of the float64 loss', async () => {
    const { model, base, adapters } = await setup(config, 4);
    // Every 3rd entry covers every module of every layer and both matrices.
    expectGradientsMatchFiniteDifferences(family, model, base, adapters, batch, 3);
  });

  it('trains on a 4-bit base: the loss falls', async () => {
    const { base, adapters } = await setup(config, 5, 'q_proj,v_proj,down_proj', 4);
    expectLossFalls(base, adapters, batch);
  });
});
