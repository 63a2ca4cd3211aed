// The onnx trainer's hand-written backward against (1) the tfjs trainer's
// autodiff on the same base, adapters, batch and dropout masks, and (2) central
// finite differences of lora's independent float64 reference (dropout masks
// and biases included), for llama / mistral-shaped / qwen2 (biases) / qwen3
// (q/k norms) / gemma2 / gemma3_text / phi3 (fused adapters: A shared by the
// parts, one dropout mask per fused module) random models, dropout off and on,
// fp32 and 4-bit bases, both memory modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@layerprune/model';
import { ALL_LINEAR_MODULES, blockDropoutMaskValues, FrozenBase, LoraAdapters, LoraRunner, llamaLinearShapes, resolveLoraConfig, SeededRng, type BaseBits, type LoraTrainer, type TrainModelConfig } from '@layerprune/lora';
import { resolveOnnxOptions } from '../options.js';
import { loadRuntime, type OnnxRuntime } from '../runtime/load-runtime.js';
import { OnnxLoraTrainer } from './onnx-lora-trainer.js';
import { compareWithFiniteDifferences, createTinyModel, gemmaTestConfigs, referenceLoss, toReference, type ReferenceMasks } from '@layerprune/lora/testing';

let runtime: OnnxRuntime;
beforeAll(async () => {
  await selectBackend('cpu', () => {});
  runtime = await loadRuntime(resolveOnnxOptions({ threads: 2 }));
});

// Gemma configs (as lora's gemma-training test) where every feature bites: (1 + w) and sandwich norms,
// embedding scale, query_pre_attn_scalar, softcaps small enough to bend the scores (1.0) and logits
// (3.0), GeGLU; gemma3_text: q/k norms, sliding layers with their own (local) rotary theta and a
// global layer with linear rope scaling. The window (4) is shorter than the 6-token sequences, so
// the sliding layers' masks bite, as in the tfjs trainer's own tests.
const GEMMA: Record<string, Partial<TrainModelConfig>> = gemmaTestConfigs(4);

const MODELS: Record<string, Partial<TrainModelConfig>> = {
  // grouped-query attention, 4 heads over 2 kv heads
  llama: {},
  // mistral's shape: 8 heads over 2 kv heads, larger rope theta, a sliding window of 3 over the 6-token sequences
  mistral: { numAttentionHeads: 8, numKeyValueHeads: 2, headDim: 2, ropeTheta: 1e6, slidingWindow: 3, layerTypes: ['sliding_attention', 'sliding_attention'] },
  // qwen2: q/k/v biases
  qwen2: { attentionBias: true, numKeyValueHeads: 1 },
  // qwen3: per-head q/k RMSNorm before rotary, head_dim * heads != hidden
  qwen3: { qkNorm: true, headDim: 8 },
  ...GEMMA,
  // phi3: fused qkv_proj (16 + 8 + 8 rows) and gate_up_proj, one adapter each (as lora's phi3 test)
  phi3: { fusedProjections: true },
};

const batch = [
  [1, 5, 3, 9, 2, 7],
  [4, 4, 0, 10, 6, 8],
];

async function setup(model: string, options: { seed?: number; dropout?: number; bits?: BaseBits; targets?: string } = {}) {
  const seed = options.seed ?? 1;
  const tiny = createTinyModel(seed, MODELS[model]);
  const base = await FrozenBase.load(tiny.config, tiny.reader, options.bits ?? 32);
  const config = resolveLoraConfig({ rank: 2, alpha: 3, dropout: options.dropout ?? 0, targetModules: options.targets ?? 'all-linear' });
  const adapters = LoraAdapters.create(config, llamaLinearShapes(tiny.config), new SeededRng(seed + 10));
  // B starts at zero (PEFT); give it values so that dL/dA is not zero too.
  const rng = new SeededRng(seed + 20);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.3, 0.3);
  return { tiny, base, adapters };
}

async function gradients(trainer: LoraTrainer, dropoutSeed: number | null): Promise<{ loss: number; grads: Float32Array[] }> {
  const grads = trainer.adapters!.parameters().map((p) => new Float32Array(p.length));
  const { loss } = await trainer.lossAndGradients(batch, grads, 1, dropoutSeed === null ? null : new SeededRng(dropoutSeed));
  return { loss, grads };
}

/** Largest |a - b| over each gradient, relative to that gradient's largest |b|. */
function relativeError(a: Float32Array[], b: Float32Array[]): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  a.forEach((g, i) => {
    let diff = 0;
    let max = 0;
    for (let j = 0; j < g.length; j++) {
      diff = Math.max(diff, Math.abs(g[j] - b[i][j]));
      max = Math.max(max, Math.abs(b[i][j]));
    }
    worst = Math.max(worst, diff / max);
    scale = Math.max(scale, max);
  });
  return { worst, scale };
}

/** The masks the trainers draw from `seed` (lora's contract: one per checkpoint module, a fused one's included), keyed for the float64 reference. */
function referenceMasks(adapters: LoraAdapters, layers: number, seed: number, rows: number): ReferenceMasks {
  const rng = new SeededRng(seed);
  const masks: ReferenceMasks = new Map();
  for (let l = 0; l < layers; l++) {
    const modules = adapters.modulesOfLayer(l);
    const values = blockDropoutMaskValues(rng.fork().getState(), rows, modules.map((m) => ({ name: m.name, inFeatures: m.inFeatures })), adapters.config.dropout);
    for (const m of modules) masks.set(`${l}.${m.name}`, values.get(m.name)!);
  }
  return masks;
}

function expectFiniteDifferences(config: TrainModelConfig, weights: Map<string, Float32Array>, adapters: LoraAdapters, loss: number, grads: Float32Array[], masks?: ReferenceMasks): void {
  // lora's test helpers are typed against its sources, this package against its build: the same class.
  const sameAdapters = adapters as unknown as Parameters<typeof toReference>[0];
  const reference = toReference(sameAdapters);
  const f = () => referenceLoss(config, weights, reference, adapters.scaling, batch, masks);
  expect(loss).toBeCloseTo(f(), 5);
  const check = compareWithFiniteDifferences(sameAdapters, grads, reference, f, 3);
  expect(check.checked).toBeGreaterThan(200);
  expect(check.gradScale).toBeGreaterThan(1e-2);
  console.log(`finite differences: ${check.checked} entries, worst ${check.worst.toExponential(2)} (gradient scale ${check.gradScale.toExponential(2)})`);
  expect(check.worst).toBeLessThan(2e-3);
}

const trainers: OnnxLoraTrainer[] = [];
afterAll(async () => {
  await Promise.all(trainers.map((t) => t.dispose()));
});

function onnx(base: FrozenBase, adapters: LoraAdapters | null, keepActivations: boolean): OnnxLoraTrainer {
  const trainer = new OnnxLoraTrainer(base, adapters, runtime, { keepActivations });
  trainers.push(trainer);
  return trainer;
}

describe('onnx LoRA trainer', () => {
  for (const model of Object.keys(MODELS)) {
    for (const dropout of [0, 0.3]) {
      for (const keep of [false, true]) {
        it(`${model}, dropout ${dropout}, ${keep ? 'kept' : 'recomputed'} activations: loss and gradients equal the tfjs trainer's (1e-4 relative)`, async () => {
          const { base, adapters } = await setup(model, { dropout });
          const seed = dropout > 0 ? 99 : null;
          const tfjs = new LoraRunner(base, adapters);
          const expected = await gradients(tfjs, seed);
          tfjs.dispose();
          const actual = await gradients(onnx(base, adapters, keep), seed);
          expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5);
          const { worst, scale } = relativeError(actual.grads, expected.grads);
          console.log(`${model} dropout ${dropout} ${keep ? 'kept' : 'recomputed'}: onnx vs tfjs |dloss| ${Math.abs(actual.loss - expected.loss).toExponential(2)}, gradients ${worst.toExponential(2)} relative`);
          expect(scale).toBeGreaterThan(1e-2);
          expect(worst).toBeLessThan(1e-4);
        });
      }
    }
    it(`${model}: gradients agree with central finite differences of the float64 reference (dropout off and on, same masks)`, async () => {
      for (const dropout of [0, 0.3]) {
        const { tiny, base, adapters } = await setup(model, { seed: 3, dropout });
        const { loss, grads } = await gradients(onnx(base, adapters, false), dropout > 0 ? 7 : null);
        const masks = dropout > 0 ? referenceMasks(adapters, tiny.config.numHiddenLayers, 7, batch.length * batch[0].length) : undefined;
        expectFiniteDifferences(tiny.config, tiny.weights, adapters, loss, grads, masks);
      }
    });
  }

  it('a 4-bit base: gradients agree with finite differences of the float64 reference on the dequantized weights', async () => {
    const { tiny, base, adapters } = await setup('llama', { seed: 4, bits: 4, dropout: 0.3 });
    // The model the 4-bit base holds: every block linear as NF4 dequantizes it.
    const weights = new Map(tiny.weights);
    for (let l = 0; l < tiny.config.numHiddenLayers; l++) {
      for (const m of ALL_LINEAR_MODULES) {
        const parent = m === 'gate_proj' || m === 'up_proj' || m === 'down_proj' ? 'mlp' : 'self_attn';
        weights.set(`model.layers.${l}.${parent}.${m}.weight`, base.linear(l, m).slice());
      }
    }
    const { loss, grads } = await gradients(onnx(base, adapters, true), 11);
    expectFiniteDifferences(tiny.config, weights, adapters, loss, grads, referenceMasks(adapters, tiny.config.numHiddenLayers, 11, batch.length * batch[0].length));
  });

  it.each(['llama', ...Object.keys(GEMMA), 'phi3'])('a 4-bit %s base (NF4 through MatMulBnb4 forward, dequantized backward) gives the tfjs trainer\'s gradients', async (model) => {
    // phi3: its two fused modules, each split over its parts (q/k/v, gate/up) in the graphs.
    const targets = model === 'phi3' ? 'qkv_proj,gate_up_proj' : 'q_proj,v_proj,down_proj';
    const { base, adapters } = await setup(model, { bits: 4, dropout: 0.3, targets });
    expect(base.packedLinears(0)).not.toBeNull();
    const tfjs = new LoraRunner(base, adapters);
    const expected = await gradients(tfjs, 5);
    tfjs.dispose();
    for (const keep of [false, true]) {
      const actual = await gradients(onnx(base, adapters, keep), 5);
      expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5);
      const { worst } = relativeError(actual.grads, expected.grads);
      console.log(`4-bit ${model} ${keep ? 'kept' : 'recomputed'}: onnx vs tfjs gradients ${worst.toExponential(2)} relative`);
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('the sliding windows bite: mistral with a window of 3 and gemma3_text with 4 lose other than over the whole 6-token sequence', async () => {
    for (const [model, wide] of [
      ['mistral', { slidingWindow: 100 }],
      ['gemma3_text', { slidingWindow: 100 }],
    ] as const) {
      const windowed = await setup(model);
      const tiny = createTinyModel(1, { ...MODELS[model], ...wide });
      const whole = await FrozenBase.load(tiny.config, tiny.reader, 32);
      const a = await onnx(windowed.base, windowed.adapters, false).loss(batch);
      const b = await onnx(whole, windowed.adapters, false).loss(batch);
      expect(Math.abs(a.loss - b.loss), model).toBeGreaterThan(1e-3);
    }
  });

  it('accumulates into the given gradients with the loss scale, and loss() is the plain mean without dropout', async () => {
    const { base, adapters } = await setup('llama', { dropout: 0.3 });
    const trainer = onnx(base, adapters, false);
    const once = await gradients(trainer, null);
    const acc = adapters.parameters().map((p) => new Float32Array(p.length));
    await trainer.lossAndGradients(batch, acc, 0.5, null);
    await trainer.lossAndGradients(batch, acc, 0.5, null);
    expect(relativeError(acc, once.grads).worst).toBeLessThan(1e-6);
    const tfjs = new LoraRunner(base, adapters);
    expect(Math.abs((await trainer.loss(batch)).loss - tfjs.loss(batch).loss)).toBeLessThan(1e-5);
    tfjs.dispose();
  });
});
