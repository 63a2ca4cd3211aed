import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@layerprune/model';
import { openModelDir } from '@layerprune/tensor-io';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { SeededRng } from './seeded-rng.js';
import { createTinyModel } from './testing/tiny-model.js';
import { writeTinyModelDir } from './testing/write-tiny-model-dir.js';
import { writeMergedModel } from './write-merged-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const batch = [
  [1, 5, 3, 9, 2, 7, 0],
  [4, 4, 0, 10, 6, 8, 3],
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function setup(bits: 4 | 32) {
  const model = createTinyModel(21, { numHiddenLayers: 3 });
  const dir = await writeTinyModelDir(await mkdtemp(join(tmpdir(), 'lora-merge-src-')), model);
  const base = await FrozenBase.load(model.config, model.reader, bits);
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 3, alpha: 6, targetModules: 'all-linear' }), llamaLinearShapes(model.config), new SeededRng(2));
  const rng = new SeededRng(8);
  for (const p of adapters.pairs) rng.fillUniform(p.b, -0.2, 0.2);
  return { model, dir, base, adapters };
}

describe('writeMergedModel', () => {
  it('merged weights give the logits of base + adapter within 1e-4 (our runner and the model package engine)', async () => {
    const { dir, base, adapters } = await setup(32);
    const withAdapter = new LoraRunner(base, adapters).logits(batch);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-merge-out-')), 'merged');
    const merged = await writeMergedModel(dir, adapters, out);
    expect(merged.files).toEqual(['.layerprune-output.json', 'config.json', 'model.safetensors']);
    const mergedDir = await openModelDir(out);
    const mergedBase = await FrozenBase.load(mergedDir.config, mergedDir.weights, 32);
    await mergedDir.close();
    const plain = new LoraRunner(mergedBase, null).logits(batch);
    expect(maxAbsDiff(plain, withAdapter)).toBeLessThan(1e-4);
    // Without the adapter the logits differ clearly: the check above is not vacuous.
    expect(maxAbsDiff(new LoraRunner(base, null).logits(batch), withAdapter)).toBeGreaterThan(1e-2);

    // An independent engine (@layerprune/model) on the merged directory.
    const engine = await loadModel(out, { backend: 'cpu', log: () => {} });
    const result = await engine.forward(batch, { logits: 'all' });
    expect(maxAbsDiff(result.logits!, withAdapter)).toBeLessThan(1e-4);
    engine.dispose();
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.num_hidden_layers).toBe(3);
  });

  it('over a 4-bit base, merges into the dequantized NF4 weights and writes float32', async () => {
    const { dir, base, adapters } = await setup(4);
    expect(base.bits).toBe(4);
    const withAdapter = new LoraRunner(base, adapters).logits(batch);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-merge-out-')), 'merged');
    await writeMergedModel(dir, adapters, out, { quantizedBase: base });
    const mergedDir = await openModelDir(out);
    expect(mergedDir.weights.info('model.layers.0.mlp.down_proj.weight').dtype).toBe('F32');
    const mergedBase = await FrozenBase.load(mergedDir.config, mergedDir.weights, 32);
    await mergedDir.close();
    expect(maxAbsDiff(new LoraRunner(mergedBase, null).logits(batch), withAdapter)).toBeLessThan(1e-4);
  });
});
