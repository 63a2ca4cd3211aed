// Fused (Phi-3) adapters on disk: PEFT's key names and shapes for qkv_proj and
// gate_up_proj (B with all the fused rows), a bit-exact round trip, and the merge
// into the fused checkpoint tensors, checked against W + s B A in float64 and
// against the logits of base + adapter (our runner, and @layerprune/model's
// engine reading the merged directory).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openModelDir } from '@layerprune/architectures';
import { SeededRng } from '@layerprune/data';
import { loadModel } from '@layerprune/model';
import { openSafetensors } from '@layerprune/tensor-io';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { loadLoraAdapter, saveLoraAdapter } from './peft-adapter-io.js';
import { createTinyModel } from './testing/tiny-model.js';
import { writeTinyModelDir } from './testing/write-tiny-model-dir.js';
import { maxAbsDiff } from './testing/max-abs-diff.js';
import { writeMergedModel } from './write-merged-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const batch = [
  [1, 5, 3, 9, 2, 7, 0],
  [4, 4, 0, 10, 6, 8, 3],
];

function phi3Adapters(seed: number, rank: number, layers = 2) {
  const model = createTinyModel(seed, { fusedProjections: true, numHiddenLayers: layers });
  const config = resolveLoraConfig({ rank, alpha: 2 * rank, targetModules: 'all-linear' });
  const adapters = LoraAdapters.create(config, llamaLinearShapes(model.config), new SeededRng(seed + 1));
  const rng = new SeededRng(seed + 2);
  for (const m of adapters.modules) rng.fillUniform(m.b, -0.2, 0.2);
  return { model, adapters };
}

describe('PEFT files of fused (Phi-3) adapters', () => {
  it('are keyed by the checkpoint modules, with B over all fused rows, and load back bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lora-phi3-peft-'));
    const { model, adapters } = phi3Adapters(1, 4);
    await saveLoraAdapter(dir, adapters);
    const json = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(json.target_modules).toEqual(['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
    const reader = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    const expected: string[] = [];
    for (let l = 0; l < 2; l++) {
      for (const path of ['self_attn.qkv_proj', 'self_attn.o_proj', 'mlp.gate_up_proj', 'mlp.down_proj']) {
        for (const which of ['A', 'B']) expected.push(`base_model.model.model.layers.${l}.${path}.lora_${which}.weight`);
      }
    }
    expect([...reader.tensors.keys()].sort()).toEqual(expected.sort());
    expect(reader.info('base_model.model.model.layers.1.self_attn.qkv_proj.lora_A.weight').shape).toEqual([4, 16]);
    expect(reader.info('base_model.model.model.layers.1.self_attn.qkv_proj.lora_B.weight').shape).toEqual([32, 4]);
    expect(reader.info('base_model.model.model.layers.1.mlp.gate_up_proj.lora_B.weight').shape).toEqual([48, 4]);
    await reader.close();

    const shapes = llamaLinearShapes(model.config);
    const loaded = await loadLoraAdapter(dir, shapes);
    expect(loaded.modules.map((m) => [m.path, m.parts])).toEqual(adapters.modules.map((m) => [m.path, m.parts]));
    loaded.modules.forEach((m, i) => {
      expect(m.a).toEqual(adapters.modules[i].a);
      expect(m.b).toEqual(adapters.modules[i].b);
    });
    expect(loaded.pairs.map((p) => [p.module, Array.from(p.b)])).toEqual(adapters.pairs.map((p) => [p.module, Array.from(p.b)]));

    // Without the model the fused modules' parts are unknown: their state loads, the engines' view is refused.
    const bare = await loadLoraAdapter(dir);
    expect(bare.modules.map((m) => m.path)).toEqual(adapters.modules.map((m) => m.path));
    expect(() => bare.pairs).toThrow(expect.objectContaining({ code: 'ADAPTER_INVALID' }));
    // Nor does it fit a model that stores q, k and v apart.
    await expect(loadLoraAdapter(dir, llamaLinearShapes(createTinyModel(1, { numHiddenLayers: 2 }).config))).rejects.toMatchObject({ code: 'ADAPTER_MISMATCH' });
  });
});

describe('writeMergedModel with fused (Phi-3) adapters', () => {
  it('qkv_proj and gate_up_proj become W + s B A; the merged model gives the logits of base + adapter', async () => {
    const { model, adapters } = phi3Adapters(21, 3, 3);
    const dir = await writeTinyModelDir(await mkdtemp(join(tmpdir(), 'lora-phi3-src-')), model, 'phi3');
    const base = await FrozenBase.load(model.config, model.reader, 32);
    const withAdapter = new LoraRunner(base, adapters).logits(batch);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-phi3-out-')), 'merged');
    const merged = await writeMergedModel(dir, adapters, out);
    expect(merged.mergedModules).toBe(12);

    const mergedDir = await openModelDir(out);
    expect(mergedDir.config.modelType).toBe('phi3');
    const r = adapters.config.rank;
    for (const m of adapters.modules.filter((x) => x.layer === 1)) {
      const name = `${m.path}.weight`;
      const w = model.weights.get(name)!;
      const expected = Float64Array.from(w, (v, idx) => {
        const o = Math.floor(idx / m.inFeatures);
        const i = idx % m.inFeatures;
        let delta = 0;
        for (let k = 0; k < r; k++) delta += m.b[o * r + k] * m.a[k * m.inFeatures + i];
        return v + adapters.scaling * delta;
      });
      expect([name, maxAbsDiff(await mergedDir.weights.readFloat32(name), expected) < 1e-6]).toEqual([name, true]);
    }
    expect(await mergedDir.weights.readFloat32('model.layers.1.input_layernorm.weight')).toEqual(model.weights.get('model.layers.1.input_layernorm.weight'));
    const mergedBase = await FrozenBase.load(mergedDir.config, mergedDir.weights, 32);
    await mergedDir.close();

    const plain = new LoraRunner(mergedBase, null).logits(batch);
    const diff = maxAbsDiff(plain, withAdapter);
    console.log(`phi3 merged model vs base + fused adapter (tfjs runner): max |logit diff| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
    expect(maxAbsDiff(new LoraRunner(base, null).logits(batch), withAdapter)).toBeGreaterThan(1e-2);
    // @layerprune/model's engine, reading the merged fused tensors from disk.
    const engine = await loadModel(out, { backend: 'cpu', log: () => {} });
    const result = await engine.forward(batch, { logits: 'all' });
    engine.dispose();
    const engineDiff = maxAbsDiff(result.logits!, withAdapter);
    console.log(`phi3 merged model (@layerprune/model) vs base + fused adapter: max |logit diff| ${engineDiff.toExponential(2)}`);
    expect(engineDiff).toBeLessThan(1e-4);
  });

  it('over a 4-bit base, merges into the dequantized fused NF4 weights the adapter was trained against', async () => {
    const { model, adapters } = phi3Adapters(22, 2);
    const dir = await writeTinyModelDir(await mkdtemp(join(tmpdir(), 'lora-phi3-src-')), model, 'phi3');
    const base = await FrozenBase.load(model.config, model.reader, 4);
    const withAdapter = new LoraRunner(base, adapters).logits(batch);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-phi3-out-')), 'merged');
    await writeMergedModel(dir, adapters, out, { quantizedBase: base });
    const mergedDir = await openModelDir(out);
    const mergedBase = await FrozenBase.load(mergedDir.config, mergedDir.weights, 32);
    await mergedDir.close();
    expect(maxAbsDiff(new LoraRunner(mergedBase, null).logits(batch), withAdapter)).toBeLessThan(1e-4);
  });
});
