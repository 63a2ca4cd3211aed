import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import { loadModel } from './load-model.js';
import { randomModel } from './testing/random-model.js';
import type { RandomModel } from './testing/random-model.js';
import { maxAbsDiff, quietLog, row } from './testing/random-llama-model.js';
import { referenceForward } from './testing/reference-forward.js';
import { writeRandomModelDir } from './testing/write-random-model-dir.js';
import type { WriteRandomModelOptions } from './testing/write-random-model-dir.js';

const TOKENS = [1, 6, 12, 40, 3, 8, 21];
let root: string;
let counter = 0;

async function writeModel(model: RandomModel, options: WriteRandomModelOptions = {}) {
  const dir = join(root, `model-${counter++}`);
  const stored = await writeRandomModelDir(dir, model, options);
  return { dir, stored };
}

describe('loadModel from a Hugging Face directory', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'layerprune-model-'));
    await selectBackend('wasm', quietLog);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('F32 single file, resident and streaming-from-disk agree with the reference', async () => {
    const random = randomModel({ modelType: 'llama', seed: 61 });
    const { dir, stored } = await writeModel(random);
    const ref = referenceForward(random.rawConfig, stored, TOKENS);
    const V = random.config.vocabSize;
    for (const options of [{ mode: 'resident' as const }, { mode: 'streaming' as const, weightCache: 'none' as const }]) {
      const model = await loadModel(dir, { ...options, log: quietLog });
      expect(model.mode).toBe(options.mode);
      expect(model.backend).toBe('wasm');
      const out = await model.forward([TOKENS], { logits: 'all' });
      TOKENS.forEach((_, t) => expect(maxAbsDiff(row(out.logits!, t, V), ref.logits[t])).toBeLessThan(1e-4));
      model.dispose();
    }
  });

  it('BF16 sharded qwen2 weights agree with the reference on the rounded weights', async () => {
    const random = randomModel({ modelType: 'qwen2', seed: 62 });
    const { dir, stored } = await writeModel(random, { dtype: 'BF16', maxShardBytes: 8000 });
    const ref = referenceForward(random.rawConfig, stored, TOKENS);
    const model = await loadModel(dir, { log: quietLog });
    const out = await model.forward([TOKENS], { logits: 'last' });
    expect(maxAbsDiff(out.logits!, ref.logits[TOKENS.length - 1])).toBeLessThan(1e-4);
    model.dispose();
  });

  it('a BF16 qwen3 directory (q/k norms, tied) agrees with the reference, resident and streaming; a missing k_norm is named', async () => {
    const random = randomModel({ modelType: 'qwen3', headDim: 16, tieWordEmbeddings: true, seed: 65 });
    const { dir, stored } = await writeModel(random, { dtype: 'BF16' });
    const ref = referenceForward(random.rawConfig, stored, TOKENS);
    for (const mode of ['resident', 'streaming'] as const) {
      const model = await loadModel(dir, { mode, log: quietLog });
      const out = await model.forward([TOKENS], { logits: 'last' });
      expect(maxAbsDiff(out.logits!, ref.logits[TOKENS.length - 1])).toBeLessThan(1e-4);
      model.dispose();
    }
    const missing = await writeModel(random, { omit: ['model.layers.2.self_attn.k_norm.weight'] });
    await expect(loadModel(missing.dir, { log: quietLog })).rejects.toMatchObject({ code: 'TENSOR_MISSING', tensor: 'model.layers.2.self_attn.k_norm.weight' });
  });

  it('generation stops at the eos ids of generation_config.json', async () => {
    const random = randomModel({ modelType: 'llama', vocabSize: 4, seed: 63 });
    // config.json has no eos id: only generation_config.json's [2, 3] can stop generation.
    const { dir } = await writeModel(random, { configOverrides: { eos_token_id: null } });
    const model = await loadModel(dir, { log: quietLog });
    // With a vocabulary of 4 and eos ids {2, 3}, sampling must end at the first 2 or 3 (never returned).
    const out = await model.generate([1], { maxTokens: 200, temperature: 2, seed: 3 });
    expect(out.every((id) => id === 0 || id === 1)).toBe(true);
    expect(out.length).toBeLessThan(200);
    model.dispose();
  });

  it('names the tensor when a weight is missing or misshapen', async () => {
    const random = randomModel({ modelType: 'llama', seed: 64 });
    const missing = await writeModel(random, { omit: ['model.layers.1.mlp.up_proj.weight'] });
    await expect(loadModel(missing.dir, { log: quietLog })).rejects.toMatchObject({ code: 'TENSOR_MISSING', tensor: 'model.layers.1.mlp.up_proj.weight' });
    const wrong = await writeModel(random, { reshape: { 'model.layers.0.self_attn.k_proj.weight': [8, 32] } });
    const error = await loadModel(wrong.dir, { log: quietLog }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: 'model.layers.0.self_attn.k_proj.weight' });
    expect((error as Error).message).toContain('[16, 32]');
  });

  it('refuses unsupported architectures and settings with the field named', async () => {
    const random = randomModel({ modelType: 'llama', seed: 65 });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ hidden_act: 'gelu' }, 'UNSUPPORTED_CONFIG', 'hidden_act'],
      [{ rope_scaling: { rope_type: 'dynamic', factor: 2 } }, 'UNSUPPORTED_CONFIG', 'rope_scaling.rope_type'],
      [{ rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'CONFIG_FIELD_MISSING', 'rope_scaling.low_freq_factor'],
      [{ mlp_bias: true }, 'UNSUPPORTED_CONFIG', 'mlp_bias'],
      [{ model_type: 'gpt2' }, 'UNSUPPORTED_ARCHITECTURE', 'model_type'],
    ];
    for (const [overrides, code, field] of cases) {
      const { dir } = await writeModel(random, { configOverrides: overrides });
      await expect(loadModel(dir, { log: quietLog })).rejects.toMatchObject({ name: 'ModelError', code, field });
    }
    await expect(loadModel(join(root, 'does-not-exist'), { log: quietLog })).rejects.toMatchObject({ name: 'ModelError', code: 'MODEL_DIR_INVALID' });
  });
});
