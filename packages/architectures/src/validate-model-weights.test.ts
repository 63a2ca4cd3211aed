import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelWeights } from './check-model-weights.js';
import type { ArchitectureError } from './errors.js';
import { openModelDir } from './open-model-dir.js';
import { writeTinyModelDir, type TinyModelDirOptions } from './testing/tiny-model-dir.js';
import { validateModelWeights } from './validate-model-weights.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'architectures-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function problemsOf(options: TinyModelDirOptions): Promise<ArchitectureError[]> {
  const dir = await writeTinyModelDir(join(root, `m${counter++}`), options);
  const model = await openModelDir(dir, { validate: false });
  try {
    return checkModelWeights(model);
  } finally {
    await model.close();
  }
}

/** The single problem of a directory broken one way. */
async function problemOf(options: TinyModelDirOptions): Promise<ArchitectureError> {
  const problems = await problemsOf(options);
  expect(problems.map((p) => p.message)).toHaveLength(1);
  return problems[0];
}

const NF4 = { quantization_config: { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' } };
const INT8 = { quantization_config: { quant_method: 'bitsandbytes', load_in_8bit: true } };

describe('checkModelWeights', () => {
  it.each<[string, TinyModelDirOptions]>([
    ['llama, untied', {}],
    ['llama, tied, without lm_head', { tie: true }],
    ['llama, tied, with an lm_head (transformers ties it anyway)', { tie: true, extra: { 'lm_head.weight': [10, 8] } }],
    ['qwen2 with q/k/v biases', { modelType: 'qwen2' }],
    ['mistral', { modelType: 'mistral' }],
    ['qwen3 with q/k norms', { modelType: 'qwen3' }],
    [
      'qwen3 with attention_bias (q/k/v/o biases)',
      { modelType: 'qwen3', config: { attention_bias: true }, extra: Object.fromEntries([0, 1].flatMap((l) => [['q', 8], ['k', 4], ['v', 4], ['o', 8]].map(([m, n]) => [`model.layers.${l}.self_attn.${m}_proj.bias`, [n as number]]))) },
    ],
    ['llama with attention_bias', { config: { attention_bias: true }, extra: Object.fromEntries([0, 1].flatMap((l) => [['q', 8], ['k', 4], ['v', 4], ['o', 8]].map(([m, n]) => [`model.layers.${l}.self_attn.${m}_proj.bias`, [n as number]]))) }],
    ['old checkpoints with rotary inv_freq buffers', { extra: { 'model.layers.0.self_attn.rotary_emb.inv_freq': [2], 'model.layers.1.self_attn.rotary_emb.inv_freq': [2] } }],
  ])('accepts a consistent directory: %s', async (_label, options) => {
    expect(await problemsOf(options)).toEqual([]);
  });

  it('reports weights with more layers than num_hidden_layers (WEIGHTS_MISMATCH, expected vs found)', async () => {
    const p = await problemOf({ layers: 3, config: { num_hidden_layers: 2 } });
    expect(p).toMatchObject({ code: 'WEIGHTS_MISMATCH', field: 'num_hidden_layers', expected: 2, found: 3, tensor: 'model.layers.2.input_layernorm.weight' });
    expect(p.message).toMatch(/config\.json: num_hidden_layers is 2 but the weights hold 3 layers: tensor "model\.layers\.2\.input_layernorm\.weight" in .*model\.safetensors belongs to layer 2/);
  });

  it('reports a num_hidden_layers larger than the weights once, not as a dozen missing tensors', async () => {
    const p = await problemOf({ layers: 2, config: { num_hidden_layers: 3 } });
    expect(p).toMatchObject({ code: 'WEIGHTS_MISMATCH', field: 'num_hidden_layers', expected: 3, found: 2, tensor: 'model.layers.2.*' });
    expect(p.message).toContain('num_hidden_layers is 3 but');
    expect(p.message).toContain('has no tensor of layer 2 (1 of the 3 layers missing; the weights hold 2)');
  });

  it.each<[string, Record<string, unknown>, string, string, string]>([
    ['hidden_size', { hidden_size: 16 }, 'model.embed_tokens.weight', 'hidden_size', 'dimension 1 is 8, expected 16 = hidden_size 16'],
    ['vocab_size', { vocab_size: 11 }, 'model.embed_tokens.weight', 'vocab_size', 'dimension 0 is 10, expected 11 = vocab_size 11'],
    ['intermediate_size', { intermediate_size: 16 }, 'model.layers.0.mlp.gate_proj.weight', 'intermediate_size', 'dimension 0 is 12, expected 16 = intermediate_size 16'],
    ['num_key_value_heads', { num_key_value_heads: 2 }, 'model.layers.0.self_attn.k_proj.weight', 'num_key_value_heads*head_dim', 'dimension 0 is 4, expected 8 = num_key_value_heads 2 x head_dim 4'],
    ['head_dim', { head_dim: 8 }, 'model.layers.0.self_attn.q_proj.weight', 'num_attention_heads*head_dim', 'dimension 0 is 8, expected 16 = num_attention_heads 2 x head_dim 8'],
  ])('reports a config %s that disagrees with the shapes (SHAPE_MISMATCH naming tensor and field)', async (_label, config, tensor, field, detail) => {
    const problems = await problemsOf({ config });
    expect(problems[0]).toMatchObject({ code: 'SHAPE_MISMATCH', tensor, field });
    expect(problems[0].message).toContain(`tensor "${tensor}" has shape`);
    expect(problems[0].message).toContain(detail);
  });

  it('reports a misshapen tensor with both shapes and a wrong rank', async () => {
    const p = await problemOf({ reshape: { 'model.layers.1.mlp.down_proj.weight': [8, 13] } });
    expect(p).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: 'model.layers.1.mlp.down_proj.weight', field: 'intermediate_size', expected: '[8, 12]', found: '[8, 13]' });
    const rank = await problemOf({ reshape: { 'model.norm.weight': [8, 1] } });
    expect(rank.message).toContain('it has 2 dimension(s), the config implies 1');
  });

  it('reports a missing tensor with the shape the architecture needs (TENSOR_MISSING)', async () => {
    const p = await problemOf({ omit: ['model.layers.1.mlp.down_proj.weight'] });
    expect(p).toMatchObject({ code: 'TENSOR_MISSING', tensor: 'model.layers.1.mlp.down_proj.weight', expected: '[8, 12]', found: 'missing' });
    expect(p.message).toMatch(/model\.safetensors: tensor "model\.layers\.1\.mlp\.down_proj\.weight" is missing; a llama model with this config\.json needs it with shape \[8, 12\]/);
    const head = await problemOf({ omit: ['lm_head.weight'] });
    expect(head.message).toContain('tie_word_embeddings false');
    const bias = await problemOf({ modelType: 'qwen2', omit: ['model.layers.0.self_attn.k_proj.bias'] });
    expect(bias).toMatchObject({ code: 'TENSOR_MISSING', tensor: 'model.layers.0.self_attn.k_proj.bias' });
    const kNorm = await problemOf({ modelType: 'qwen3', omit: ['model.layers.1.self_attn.k_norm.weight'] });
    expect(kNorm).toMatchObject({ code: 'TENSOR_MISSING', tensor: 'model.layers.1.self_attn.k_norm.weight', expected: '[4]' });
    expect(kNorm.message).toContain('a qwen3 model with this config.json needs it with shape [4]');
  });

  it('reports a tensor the architecture does not explain (TENSOR_UNEXPECTED)', async () => {
    const p = await problemOf({ extra: { 'model.layers.0.mlp.extra.weight': [3] } });
    expect(p).toMatchObject({ code: 'TENSOR_UNEXPECTED', tensor: 'model.layers.0.mlp.extra.weight', found: '[3]' });
    expect(p.message).toContain('unexpected tensor "model.layers.0.mlp.extra.weight": it is not part of a llama model');
    const bias = await problemOf({ extra: { 'model.layers.0.self_attn.o_proj.bias': [8] } });
    expect(bias.message).toContain('attention_bias false');
    const qwenO = await problemOf({ modelType: 'qwen2', extra: { 'model.layers.0.self_attn.o_proj.bias': [8] } });
    expect(qwenO).toMatchObject({ code: 'TENSOR_UNEXPECTED', tensor: 'model.layers.0.self_attn.o_proj.bias' });
    const qNorm = await problemOf({ modelType: 'qwen2', extra: { 'model.layers.0.self_attn.q_norm.weight': [4] } });
    expect(qNorm.message).toContain('it is not part of a qwen2 model');
    const companion = await problemOf({ extra: { 'model.layers.0.mlp.up_proj.weight.absmax': [2] } });
    expect(companion.message).toContain('no bitsandbytes quantization_config');
  });

  it('reports a weight of a non-float dtype (DTYPE_MISMATCH)', async () => {
    const p = await problemOf({ dtype: { 'model.norm.weight': 'I32' } });
    expect(p).toMatchObject({ code: 'DTYPE_MISMATCH', tensor: 'model.norm.weight', field: 'dtype', found: 'I32' });
    expect(p.message).toContain('is I32; weights must be F32, F16, BF16, F64');
  });

  describe('bitsandbytes layouts (quantization_config present)', () => {
    const up = 'model.layers.0.mlp.up_proj.weight';
    const fourBit = (packedBytes: number, omit: string[] = []): TinyModelDirOptions => ({
      config: NF4,
      reshape: { [up]: [packedBytes, 1] },
      dtype: { [up]: 'U8' },
      extra: Object.fromEntries(
        [[`${up}.absmax`, [2]], [`${up}.quant_map`, [16]], [`${up}.quant_state.bitsandbytes__nf4`, [40]]].filter(([name]) => !omit.includes(name as string)),
      ),
    });

    it('accepts a 4-bit weight whose packed bytes fit the config shape, and its companions', async () => {
      expect(await problemsOf(fourBit(48))).toEqual([]); // 12 x 8 values -> 48 bytes
    });

    it('reports packed bytes that do not fit the config shape, and a missing companion', async () => {
      const p = await problemOf(fourBit(40));
      expect(p).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: up, expected: 48, found: 40 });
      expect(p.message).toContain('packs 40 bytes but');
      expect(p.message).toContain('implies shape [12, 8] = 96 values = 48 bytes');
      const missing = await problemOf(fourBit(48, [`${up}.absmax`]));
      expect(missing).toMatchObject({ code: 'TENSOR_MISSING', tensor: `${up}.absmax` });
    });

    it('accepts int8 weights with SCB and weight_format, and checks the scales', async () => {
      const int8 = (scbRows: number): TinyModelDirOptions => ({
        config: INT8,
        dtype: { [up]: 'I8' },
        extra: { 'model.layers.0.mlp.up_proj.SCB': [scbRows], 'model.layers.0.mlp.up_proj.weight_format': [] },
      });
      expect(await problemsOf(int8(12))).toEqual([]);
      const p = await problemOf(int8(11));
      expect(p).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: 'model.layers.0.mlp.up_proj.SCB', expected: '[12]', found: '[11]' });
    });
  });
});

describe('validateModelWeights and openModelDir', () => {
  it('openModelDir refuses an inconsistent directory by default and opens it with validate: false', async () => {
    const dir = await writeTinyModelDir(join(root, 'refused'), { omit: ['model.norm.weight'], extra: { stray: [1] } });
    const error = (await openModelDir(dir).then(
      () => new Error('opened'),
      (e: unknown) => e,
    )) as ArchitectureError;
    expect(error).toMatchObject({ name: 'ArchitectureError', code: 'TENSOR_MISSING', tensor: 'model.norm.weight' });
    expect(error.message).toMatch(/\(and 1 more problem with .*refused\)$/);
    const model = await openModelDir(dir, { validate: false });
    expect(() => validateModelWeights(model)).toThrow(expect.objectContaining({ code: 'TENSOR_MISSING' }));
    await model.close();
  });

  it('passes a consistent directory', async () => {
    const dir = await writeTinyModelDir(join(root, 'fine'), { modelType: 'qwen2', tie: true });
    const model = await openModelDir(dir);
    expect(() => validateModelWeights(model)).not.toThrow();
    await model.close();
  });
});
