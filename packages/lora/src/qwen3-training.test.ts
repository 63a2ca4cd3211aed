// Training a qwen3 block on tfjs (LoraRunner runs @layerprune/model's
// blockForward): FrozenBase loads the per-head q_norm / k_norm weights and hands
// them to the block, so the loss, the logits and the adapter gradients equal the
// independent float64 reference (with its q/k norms) and its finite differences.
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
import { createTinyModel } from './testing/tiny-model.js';
import { checkTrainable } from './train-model-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// head_dim 8 with hidden 16 and 4 heads: q is [32, 16], not square, as in Qwen3-0.6B (hidden 1024, 16 x 128).
const QWEN3 = { qkNorm: true, headDim: 8 } as const;

const batch = [
  [1, 5, 3, 9, 2, 7],
  [4, 4, 0, 10, 6, 8],
];

async function setup(seed: number, targets = 'all-linear', bits: 4 | 32 = 32) {
  const model = createTinyModel(seed, QWEN3);
  const base = await FrozenBase.load(model.config, model.reader, bits);
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, alpha: 3, dropout: 0, targetModules: targets }), llamaLinearShapes(model.config), new SeededRng(seed + 10));
  // B starts at zero (PEFT); give it values so that dL/dA is not zero too.
  const rng = new SeededRng(seed + 20);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.3, 0.3);
  return { model, base, adapters };
}

describe('LoraRunner (tfjs) on a qwen3 block (q/k norms) against the float64 reference', () => {
  it('FrozenBase loads the q/k norms into the block weights; checkTrainable accepts the config', async () => {
    const { model, base } = await setup(1);
    expect(() => checkTrainable(model.config, 'qwen3')).not.toThrow();
    const block = base.blockWeights(1, new Map());
    expect(block.qNorm).toEqual(model.weights.get('model.layers.1.self_attn.q_norm.weight'));
    expect(block.kNorm).toEqual(model.weights.get('model.layers.1.self_attn.k_norm.weight'));
    // A model without q/k norms gets none.
    const llama = createTinyModel(1);
    const plain = await FrozenBase.load(llama.config, llama.reader, 32);
    expect(plain.blockWeights(0, new Map()).qNorm).toBeUndefined();
  });

  it('refuses a qwen3 base without its k_norm, naming the tensor', async () => {
    const model = createTinyModel(2, QWEN3);
    model.weights.delete('model.layers.1.self_attn.k_norm.weight');
    await expect(FrozenBase.load(model.config, model.reader, 32)).rejects.toMatchObject({ code: 'UNSUPPORTED_MODEL', field: 'model.layers.1.self_attn.k_norm.weight' });
  });

  it('computes the loss and logits of the float64 forward (which differ without the q/k norms)', async () => {
    const { model, base, adapters } = await setup(3);
    const runner = new LoraRunner(base, adapters);
    const ref = referenceForward(model.config, model.weights, toReference(adapters), adapters.scaling, batch);
    expect(runner.loss(batch).loss).toBeCloseTo(ref.loss, 5);
    const logits = runner.logits(batch);
    const v = model.config.vocabSize;
    let maxDiff = 0;
    ref.logits.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - logits[(b * 6 + t) * v + i]))))));
    console.log(`qwen3 LoraRunner (tfjs cpu) vs float64 reference: max |logit diff| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-4);
    const withoutNorms = referenceForward({ ...model.config, qkNorm: false }, model.weights, toReference(adapters), adapters.scaling, batch);
    expect(Math.abs(withoutNorms.loss - ref.loss)).toBeGreaterThan(1e-3);
    runner.dispose();
  });

  it('adapter gradients agree with central finite differences of the float64 loss', async () => {
    const { model, base, adapters } = await setup(4);
    // Every 3rd entry covers every module (q_proj and k_proj, whose outputs the norms rescale, included) and both matrices.
    expectGradientsMatchFiniteDifferences('qwen3', model, base, adapters, batch, 3);
  });

  it('trains on a 4-bit base: the q/k norms stay float32 and the loss falls', async () => {
    const { base, adapters } = await setup(5, 'q_proj,k_proj', 4);
    expect(base.qkNorms(0)).not.toBeNull();
    expectLossFalls(base, adapters, batch);
  });
});
