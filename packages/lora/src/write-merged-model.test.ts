import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@layerprune/model';
import { writeSafetensors } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraRunner } from './lora-runner.js';
import { SeededRng } from '@layerprune/data';
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
    expect(merged.files).toEqual(['.layerprune-output.json', 'README.md', 'config.json', 'model.safetensors']);
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

  it('over a 4-bit base, merges into the dequantized NF4 weights, in the source dtype (F32 here)', async () => {
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

/** The float32 value of each bfloat16 bit pattern (bf16 is the top half of a float32). */
function bf16ToNumbers(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const word = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < bytes.length; i += 2) {
    word.setUint32(0, view.getUint16(i, true) << 16);
    out.push(word.getFloat32(0));
  }
  return out;
}

/**
 * Rounds a float32 value to the nearest bfloat16 value, ties to the even
 * significand, by comparing distances to the two neighbours (independent of the
 * bit trick tensor-io uses). Finite, in-range inputs only (the test's weights).
 */
function roundToBf16(x: number): number {
  const word = new DataView(new ArrayBuffer(4));
  word.setFloat32(0, x);
  const bits = word.getUint32(0);
  const lowBits = bits & 0xffff0000;
  word.setUint32(0, lowBits);
  const below = word.getFloat32(0); // truncated toward zero
  word.setUint32(0, (lowBits + 0x10000) >>> 0);
  const above = word.getFloat32(0); // next bf16 away from zero
  const dBelow = Math.abs(x - below);
  const dAbove = Math.abs(above - x);
  if (dBelow < dAbove) return below;
  if (dAbove < dBelow) return above;
  return ((lowBits >>> 16) & 1) === 0 ? below : above;
}

/** The tiny model's F32 directory rewritten with BF16 weights and torch_dtype bfloat16. */
async function toBf16Dir(f32Dir: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lora-merge-bf16-'));
  const source = await openModelDir(f32Dir);
  try {
    const tensors = await Promise.all(
      source.weights.names().map(async (name) => ({ name, shape: source.weights.info(name).shape, values: await source.weights.readFloat32(name) })),
    );
    await writeSafetensors(
      join(dir, 'model.safetensors'),
      tensors.map((t) => ({ name: t.name, dtype: 'BF16' as const, shape: t.shape, read: () => t.values })),
      { metadata: { format: 'pt' } },
    );
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...source.rawConfig, torch_dtype: 'bfloat16' }, null, 2));
    await writeFile(join(dir, 'README.md'), '---\nlicense: mit\nlanguage:\n- en\n---\n# tiny bf16\n\nRandom weights.\n');
  } finally {
    await source.close();
  }
  return dir;
}

async function rawTensor(dir: string, name: string): Promise<{ dtype: string; bytes: Uint8Array }> {
  const model = await openModelDir(dir);
  try {
    return { dtype: model.weights.info(name).dtype, bytes: (await model.weights.readRaw(name)).slice() };
  } finally {
    await model.close();
  }
}

describe('writeMergedModel keeps the source dtype', () => {
  it('a BF16 source merges to BF16: every weight is bf16(base + s * B A), other tensors byte for byte', async () => {
    const { dir: f32Dir, adapters } = await setup(32);
    const dir = await toBf16Dir(f32Dir);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-merge-out-')), 'merged');
    await writeMergedModel(dir, adapters, out);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.torch_dtype).toBe('bfloat16');

    const rank = adapters.config.rank;
    let changed = 0;
    for (const p of adapters.pairs) {
      const name = `model.layers.${p.layer}.${p.module === 'gate_proj' || p.module === 'up_proj' || p.module === 'down_proj' ? 'mlp' : 'self_attn'}.${p.module}.weight`;
      const before = await rawTensor(dir, name);
      const after = await rawTensor(out, name);
      expect([name, after.dtype]).toEqual([name, 'BF16']);
      const base = bf16ToNumbers(before.bytes);
      const merged = bf16ToNumbers(after.bytes);
      for (let o = 0; o < p.outFeatures; o++) {
        for (let i = 0; i < p.inFeatures; i++) {
          let delta = 0;
          for (let k = 0; k < rank; k++) delta += p.b[o * rank + k] * p.a[k * p.inFeatures + i];
          const expected = roundToBf16(Math.fround(base[o * p.inFeatures + i] + adapters.scaling * delta));
          if (merged[o * p.inFeatures + i] !== expected) {
            expect.fail(`${name}[${o}, ${i}]: ${merged[o * p.inFeatures + i]} != bf16(${base[o * p.inFeatures + i]} + ${adapters.scaling * delta}) = ${expected}`);
          }
          if (expected !== base[o * p.inFeatures + i]) changed++;
        }
      }
    }
    // The adapter moved many weights by more than half a bf16 step: the check is not vacuous.
    expect(changed).toBeGreaterThan(1000);
    for (const name of ['model.embed_tokens.weight', 'model.norm.weight', 'model.layers.1.input_layernorm.weight']) {
      const before = await rawTensor(dir, name);
      const after = await rawTensor(out, name);
      expect(after.dtype).toBe('BF16');
      expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).toBe(0);
    }
  });

  it('over a 4-bit base of a BF16 source the merge is BF16 too; an explicit dtype is honoured', async () => {
    const { model, dir: f32Dir, adapters } = await setup(32);
    const dir = await toBf16Dir(f32Dir);
    const source = await openModelDir(dir);
    const base = await FrozenBase.load(source.config, source.weights, 4);
    await source.close();
    const parent = await mkdtemp(join(tmpdir(), 'lora-merge-out-'));
    await writeMergedModel(dir, adapters, join(parent, 'default'), { quantizedBase: base });
    await writeMergedModel(dir, adapters, join(parent, 'f32'), { quantizedBase: base, dtype: 'F32' });
    await writeMergedModel(dir, adapters, join(parent, 'f16'), { dtype: 'F16' });
    expect(JSON.parse(await readFile(join(parent, 'default', 'config.json'), 'utf8')).torch_dtype).toBe('bfloat16');
    expect(JSON.parse(await readFile(join(parent, 'f32', 'config.json'), 'utf8')).torch_dtype).toBe('float32');
    expect(JSON.parse(await readFile(join(parent, 'f16', 'config.json'), 'utf8')).torch_dtype).toBe('float16');
    const name = 'model.layers.2.mlp.down_proj.weight';
    const bf16 = await rawTensor(join(parent, 'default'), name);
    const f32 = await rawTensor(join(parent, 'f32'), name);
    expect(bf16.dtype).toBe('BF16');
    expect(f32.dtype).toBe('F32');
    expect((await rawTensor(join(parent, 'f16'), name)).dtype).toBe('F16');
    // The BF16 merge is the F32 merge (same 4-bit base, same adapter) rounded to bf16.
    const f32Values = new Float32Array(f32.bytes.buffer, f32.bytes.byteOffset, f32.bytes.length / 4);
    expect(bf16ToNumbers(bf16.bytes)).toEqual(Array.from(f32Values, roundToBf16));
    expect(model.config.numHiddenLayers).toBe(3);
  });

  it('writes a model card naming the base, the adapter and the dtypes, keeping the source card', async () => {
    const { dir: f32Dir, adapters } = await setup(32);
    const dir = await toBf16Dir(f32Dir);
    const out = join(await mkdtemp(join(tmpdir(), 'lora-merge-out-')), 'merged');
    await writeMergedModel(dir, adapters, out);
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card.startsWith(`---\nbase_model: ${JSON.stringify(dir)}\ntags:\n- "layerprune"\n- "merged-lora"\nlicense: "mit"\nlanguage:\n- "en"\n---\n`)).toBe(true);
    expect(card).toContain('LoRA rank 3, alpha 6');
    expect(card).toContain('target modules q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj');
    expect(card).toContain('Source dtype: bfloat16; merged weights written as bfloat16');
    expect(card).toContain('## Original model card\n\nIts metadata:');
    expect(card).toContain('# tiny bf16\n\nRandom weights.\n');
  });
});
