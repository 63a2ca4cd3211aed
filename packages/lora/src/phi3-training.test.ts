// LoRA on Phi-3's fused projections, on the tfjs trainer: one adapter per
// checkpoint tensor (qkv_proj, o_proj, gate_up_proj, down_proj) whose logical
// parts share its A and each use their rows of B. The float64 reference applies
// each adapter to the whole fused output and slices it afterwards (as PEFT +
// Phi3Attention / Phi3MLP do), so loss, logits and the gradients of the shared A
// are checked against an independent formulation.
import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@layerprune/data';
import { dequantize4bit, NF4_CODE } from '@layerprune/quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockDropoutMaskValues } from './dropout-mask-values.js';
import { FrozenBase, type WeightReader } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { compareWithFiniteDifferences, toReference } from './testing/finite-differences.js';
import { referenceForward, referenceLoss, type ReferenceMasks } from './testing/reference-llama-f64.js';
import { expectGradientsMatchFiniteDifferences, expectLossFalls } from './testing/runner-checks.js';
import { createTinyModel } from './testing/tiny-model.js';
import type { TrainModelConfig } from './train-model-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** hidden 16, 4 heads on 2 kv heads of 4: qkv_proj has 16 + 8 + 8 rows; gate_up_proj 2 x 24. */
const PHI3: Partial<TrainModelConfig> = { fusedProjections: true };

const batch = [
  [1, 5, 3, 9, 2, 7],
  [4, 4, 0, 10, 6, 8],
];

async function setup(seed: number, options: { targets?: string; bits?: 4 | 32; dropout?: number } = {}) {
  const model = createTinyModel(seed, PHI3);
  const base = await FrozenBase.load(model.config, model.reader, options.bits ?? 32);
  const config = resolveLoraConfig({ rank: 2, alpha: 3, dropout: options.dropout ?? 0, targetModules: options.targets ?? 'all-linear' });
  const adapters = LoraAdapters.create(config, llamaLinearShapes(model.config), new SeededRng(seed + 10));
  // B starts at zero (PEFT); give it values so that dL/dA is not zero too.
  const rng = new SeededRng(seed + 20);
  for (const m of adapters.modules) rng.fillUniform(m.b, -0.3, 0.3);
  return { model, base, adapters };
}

function maxLogitDiff(ref: Float64Array[][], logits: Float32Array, vocab: number): number {
  let max = 0;
  ref.forEach((seq, b) => seq.forEach((row, t) => row.forEach((x, i) => (max = Math.max(max, Math.abs(x - logits[(b * seq.length + t) * vocab + i]))))));
  return max;
}

describe('LoRA targets on a fused (Phi-3) checkpoint', () => {
  const shapes = llamaLinearShapes(createTinyModel(1, PHI3).config);

  it('all-linear gives one adapter per checkpoint tensor, named as PEFT names them, and logs the mapping', () => {
    const lines: string[] = [];
    const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, targetModules: 'all-linear' }), shapes, new SeededRng(1), (l) => lines.push(l));
    expect(adapters.config.targetModules).toEqual(['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
    expect(adapters.modules.filter((m) => m.layer === 0).map((m) => [m.path, m.outFeatures, m.inFeatures])).toEqual([
      ['model.layers.0.self_attn.qkv_proj', 32, 16],
      ['model.layers.0.self_attn.o_proj', 16, 16],
      ['model.layers.0.mlp.gate_up_proj', 48, 16],
      ['model.layers.0.mlp.down_proj', 16, 24],
    ]);
    expect(lines).toEqual([
      'layerprune: target q_proj, k_proj, v_proj are stored as qkv_proj (q_proj + k_proj + v_proj) in this model: adapting qkv_proj',
      'layerprune: target gate_proj, up_proj are stored as gate_up_proj (gate_proj + up_proj) in this model: adapting gate_up_proj',
    ]);
    // The engines' view: seven logical pairs per block; q, k, v share A and see their rows of B.
    const [q, k, v] = adapters.forLayer(0);
    expect([q.module, k.module, v.module, q.outFeatures, k.outFeatures]).toEqual(['q_proj', 'k_proj', 'v_proj', 16, 8]);
    expect(k.a).toBe(adapters.modules[0].a);
    expect(k.b.buffer).toBe(adapters.modules[0].b.buffer);
    expect(k.b.byteOffset).toBe(16 * 2 * 4);
    expect(adapters.forLayer(0)).toHaveLength(7);
  });

  it('a logical name selects its fused tensor and says what else that adapts; fused names need no note', () => {
    const lines: string[] = [];
    const q = LoraAdapters.create(resolveLoraConfig({ rank: 2, targetModules: 'q_proj' }), shapes, new SeededRng(1), (l) => lines.push(l));
    expect(q.config.targetModules).toEqual(['qkv_proj']);
    expect(lines).toEqual(['layerprune: target q_proj is stored as qkv_proj (q_proj + k_proj + v_proj) in this model: adapting qkv_proj (so k_proj, v_proj too)']);
    lines.length = 0;
    const fused = LoraAdapters.create(resolveLoraConfig({ rank: 2, targetModules: 'gate_up_proj,down_proj' }), shapes, new SeededRng(1), (l) => lines.push(l));
    expect(fused.config.targetModules).toEqual(['gate_up_proj', 'down_proj']);
    expect(lines).toEqual([]);
    // A fused name on a model that stores q, k and v apart adapts each of them.
    const llama = LoraAdapters.create(resolveLoraConfig({ rank: 2, targetModules: 'qkv_proj' }), llamaLinearShapes(createTinyModel(1).config), new SeededRng(1), (l) => lines.push(l));
    expect(llama.config.targetModules).toEqual(['q_proj', 'k_proj', 'v_proj']);
    expect(lines).toEqual(['layerprune: target qkv_proj is stored as q_proj, k_proj, v_proj in this model: adapting q_proj, k_proj, v_proj']);
  });
});

describe('FrozenBase on a Phi-3 checkpoint', () => {
  it('reads each fused tensor once and gives every module its rows', async () => {
    const model = createTinyModel(2, PHI3);
    const reads = new Map<string, number>();
    const reader: WeightReader = { ...model.reader, readFloat32: (name) => (reads.set(name, (reads.get(name) ?? 0) + 1), model.reader.readFloat32(name)) };
    const base = await FrozenBase.load(model.config, reader, 32);
    expect(reads.get('model.layers.1.self_attn.qkv_proj.weight')).toBe(1);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    const qkv = model.weights.get('model.layers.1.self_attn.qkv_proj.weight')!;
    const gateUp = model.weights.get('model.layers.1.mlp.gate_up_proj.weight')!;
    const block = base.blockWeights(1, new Map());
    expect(block.linear.q_proj).toEqual(qkv.subarray(0, 16 * 16));
    expect(block.linear.k_proj).toEqual(qkv.subarray(16 * 16, 24 * 16));
    expect(block.linear.v_proj).toEqual(qkv.subarray(24 * 16, 32 * 16));
    expect(block.linear.up_proj).toEqual(gateUp.subarray(24 * 16));
    expect(base.linear(1, 'v_proj')).toEqual(block.linear.v_proj);
    // 16-bit: a part decodes its own rows of the fused bf16 bytes.
    const half = await FrozenBase.load(model.config, model.reader, 16);
    expect(half.linear(1, 'k_proj', new Float32Array(400))).toEqual(half.storedLinear(1, 'qkv_proj').subarray(16 * 16, 24 * 16));
    expect(half.blockWeights(1, new Map()).linear.up_proj).toEqual(half.storedLinear(1, 'gate_up_proj').subarray(24 * 16));
  });

  it('4-bit: the fused tensor is one NF4 state; parts decode to its rows and pack by rows when blocks allow', async () => {
    const model = createTinyModel(3, PHI3);
    const base = await FrozenBase.load(model.config, model.reader, 4);
    const whole = base.storedLinear(0, 'qkv_proj');
    expect(base.linear(0, 'k_proj')).toEqual(whole.subarray(16 * 16, 24 * 16));
    const packed = base.packedLinears(0);
    expect(packed).not.toBeNull();
    for (const module of ['q_proj', 'k_proj', 'v_proj', 'gate_proj', 'up_proj'] as const) {
      const p = packed!.linear[module];
      const values = base.linear(0, module);
      const n = values.length;
      const state = { quantType: p.quantType, blockSize: p.blockSize, shape: [n], numel: n, dtype: 'float32' as const, packed: p.packed, quantMap: NF4_CODE, absmax: p.absmax, nested: null };
      expect([module, dequantize4bit(state)]).toEqual([module, values]);
    }
    // intermediate 18: up_proj starts at element 18 * 16 = 288, inside an absmax block of 64.
    const odd = createTinyModel(3, { ...PHI3, intermediateSize: 18 });
    const oddBase = await FrozenBase.load(odd.config, odd.reader, 4);
    expect(oddBase.packedLinears(0)).toBeNull();
    expect(oddBase.linear(0, 'up_proj')).toEqual(oddBase.storedLinear(0, 'gate_up_proj').subarray(18 * 16));
  });
});

describe('LoraRunner (tfjs) on Phi-3 against the float64 reference', () => {
  it('loss and logits of base + fused adapters', async () => {
    const { model, base, adapters } = await setup(4);
    const runner = new LoraRunner(base, adapters);
    const ref = referenceForward(model.config, model.weights, toReference(adapters), adapters.scaling, batch);
    expect(runner.loss(batch).loss).toBeCloseTo(ref.loss, 5);
    const diff = maxLogitDiff(ref.logits, runner.logits(batch), model.config.vocabSize);
    console.log(`phi3 LoraRunner (tfjs cpu) vs float64 reference: max |logit diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    // The adapters matter: without them the reference moves well beyond the tolerance.
    const plain = referenceForward(model.config, model.weights, new Map(), adapters.scaling, batch);
    expect(maxLogitDiff(plain.logits, runner.logits(batch), model.config.vocabSize)).toBeGreaterThan(1e-2);
    runner.dispose();
  });

  it('gradients of the shared A and of every row of B agree with central finite differences', async () => {
    const { model, base, adapters } = await setup(5);
    // Every 2nd entry of every module: the shared A of qkv_proj gets the sum of its three parts' terms.
    expectGradientsMatchFiniteDifferences('phi3 fused', model, base, adapters, batch, 2);
  });

  it('with dropout: one mask per fused module, shared by its parts, as PEFT drops the input once', async () => {
    const { model, base, adapters } = await setup(6, { dropout: 0.3, targets: 'qkv_proj,gate_up_proj' });
    const runner = new LoraRunner(base, adapters);
    const grads = adapters.parameters().map((p) => new Float32Array(p.length));
    const { loss } = runner.lossAndGradients(batch, grads, 1, new SeededRng(99));
    // The runner forks one generator per block from the one it is given and draws each module's mask in order.
    const rng = new SeededRng(99);
    const masks: ReferenceMasks = new Map();
    for (let l = 0; l < model.config.numHiddenLayers; l++) {
      const modules = adapters.modulesOfLayer(l);
      const values = blockDropoutMaskValues(rng.fork().getState(), 12, modules.map((m) => ({ name: m.name, inFeatures: m.inFeatures })), 0.3);
      for (const m of modules) masks.set(`${l}.${m.name}`, values.get(m.name)!);
    }
    const refAdapters = toReference(adapters);
    const refLoss = () => referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch, masks);
    expect(loss).toBeCloseTo(refLoss(), 5);
    expect(Math.abs(refLoss() - referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch))).toBeGreaterThan(1e-4);
    const { worst } = compareWithFiniteDifferences(adapters, grads, refAdapters, refLoss, 5);
    expect(worst).toBeLessThan(2e-3);
    runner.dispose();
  });

  it('trains on a 4-bit fused base: the loss falls', async () => {
    const { base, adapters } = await setup(7, { bits: 4, targets: 'q_proj' });
    expectLossFalls(base, adapters, batch);
  });
});
