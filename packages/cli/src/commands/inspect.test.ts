import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors, writeShardedSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { layerTensorName } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import type { InspectResult } from './inspect.js';

// Until main.ts lists it, register `inspect` for these tests so they run through the real shell.
vi.mock('./index.js', async () => ({ commands: [(await import('./inspect-options.js')).inspectCommand] }));

let root: string;

const zeros = (name: string, shape: number[], dtype: TensorSource['dtype'] = 'F32'): TensorSource => ({
  name,
  dtype,
  shape,
  read: () => new Float32Array(shape.reduce((a, b) => a * b, 1)),
});

/** Tiny Llama layout with the real Hugging Face names and [out, in] shapes: hidden 8, intermediate 16, 2 heads, 1 kv head. */
function tinyLlama(layers: number, options: { qkvBias?: boolean; tied?: boolean; qkNorm?: boolean } = {}): TensorSource[] {
  const tensors = [zeros('model.embed_tokens.weight', [10, 8], 'BF16')];
  for (let l = 0; l < layers; l++) {
    const t = (suffix: string, shape: number[]): TensorSource => zeros(layerTensorName(l, suffix), shape, 'BF16');
    tensors.push(t('input_layernorm.weight', [8]), t('post_attention_layernorm.weight', [8]));
    tensors.push(t('self_attn.q_proj.weight', [8, 8]), t('self_attn.k_proj.weight', [4, 8]), t('self_attn.v_proj.weight', [4, 8]));
    if (options.qkvBias) tensors.push(t('self_attn.q_proj.bias', [8]), t('self_attn.k_proj.bias', [4]), t('self_attn.v_proj.bias', [4]));
    if (options.qkNorm) tensors.push(t('self_attn.q_norm.weight', [4]), t('self_attn.k_norm.weight', [4]));
    tensors.push(t('self_attn.o_proj.weight', [8, 8]));
    tensors.push(t('mlp.gate_proj.weight', [16, 8]), t('mlp.up_proj.weight', [16, 8]), t('mlp.down_proj.weight', [8, 16]));
  }
  tensors.push(zeros('model.norm.weight', [8], 'BF16'));
  if (!options.tied) tensors.push(zeros('lm_head.weight', [10, 8], 'BF16'));
  return tensors;
}

const config = (modelType: string, layers: number, tied: boolean) => ({
  model_type: modelType,
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: layers,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  vocab_size: 10,
  tie_word_embeddings: tied,
  torch_dtype: 'bfloat16',
});

async function inspectJson(path: string): Promise<{ result: InspectResult; stderr: string }> {
  const run = await runCli(['inspect', path, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { result: JSON.parse(run.stdout) as InspectResult, stderr: run.stderr };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-inspect-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('layerprune inspect', () => {
  it('lists the tensors, totals and metadata of a safetensors file', async () => {
    const path = join(root, 'small.safetensors');
    await writeSafetensors(
      path,
      [zeros('a', [2, 3]), zeros('b', [5], 'F16'), { name: 'ids', dtype: 'I64', shape: [4], read: () => new BigInt64Array(4) }],
      { metadata: { format: 'pt', step: '12' } },
    );
    const { result } = await inspectJson(path);
    expect(result.kind).toBe('safetensors');
    expect(result.tensors).toEqual([
      { name: 'a', dtype: 'F32', shape: [2, 3], parameters: 6, bytes: 24 },
      { name: 'b', dtype: 'F16', shape: [5], parameters: 5, bytes: 10 },
      { name: 'ids', dtype: 'I64', shape: [4], parameters: 4, bytes: 32 },
    ]);
    expect(result.totals).toEqual({
      tensors: 3,
      parameters: 15,
      bytes: 66,
      byDtype: { F32: { tensors: 1, parameters: 6, bytes: 24 }, F16: { tensors: 1, parameters: 5, bytes: 10 }, I64: { tensors: 1, parameters: 4, bytes: 32 } },
    });
    expect(result.metadata).toEqual({ format: 'pt', step: '12' });
    expect(result.architecture).toBeNull();

    const human = await runCli(['inspect', path]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('safetensors file');
    expect(human.stdout).toMatch(/ids\s+I64\s+\[4\]\s+4\s+32 B/);
    expect(human.stdout).toContain('format: pt');
  });

  it('summarises a sharded model directory: layers, sizes, heads, vocab and parameter count', async () => {
    const dir = join(root, 'llama');
    const tensors = tinyLlama(3);
    await writeShardedSafetensors(dir, tensors, { maxShardBytes: 1000 });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config('llama', 3, false)));
    const { result, stderr } = await inspectJson(dir);
    // Hand count: embeddings 80, per layer q 64 + k 32 + v 32 + o 64 + mlp 384 + norms 16 = 592, final norm 8, lm_head 80.
    const handCount = 80 + 3 * 592 + 8 + 80;
    expect(result.architecture).toEqual({
      modelType: 'llama',
      numLayers: 3,
      hiddenSize: 8,
      intermediateSize: 16,
      numAttentionHeads: 2,
      numKeyValueHeads: 1,
      headDim: 4,
      vocabSize: 10,
      tieWordEmbeddings: false,
      torchDtype: 'bfloat16',
      parameterCount: handCount,
      parameterCountFromConfig: handCount,
    });
    expect(stderr).toBe('');
    expect(result.files.length).toBeGreaterThan(1);
    expect(result.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    expect(result.totals.bytes).toBe(2 * handCount);
    expect(result.metadata.index).toEqual({ total_size: 2 * handCount });
    expect(result.tensors.every((t) => t.file !== undefined)).toBe(true);
  });

  it('counts Qwen2 q/k/v biases and tied embeddings from the config', async () => {
    const dir = join(root, 'qwen');
    await writeShardedSafetensors(dir, tinyLlama(2, { qkvBias: true, tied: true }), { maxShardBytes: 1e9 });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config('qwen2', 2, true)));
    const { result, stderr } = await inspectJson(dir);
    const handCount = 80 + 2 * (592 + 16) + 8;
    expect(result.architecture).toMatchObject({ parameterCount: handCount, parameterCountFromConfig: handCount });
    expect(stderr).toBe('');
  });

  it('counts Qwen3 per-head q/k norms (head_dim each) from the config', async () => {
    const dir = join(root, 'qwen3');
    await writeShardedSafetensors(dir, tinyLlama(2, { qkNorm: true, tied: true }), { maxShardBytes: 1e9 });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config('qwen3', 2, true), head_dim: 4 }));
    const { result, stderr } = await inspectJson(dir);
    const handCount = 80 + 2 * (592 + 8) + 8;
    expect(result.architecture).toMatchObject({ modelType: 'qwen3', headDim: 4, parameterCount: handCount, parameterCountFromConfig: handCount });
    expect(stderr).toBe('');
    const human = await runCli(['inspect', dir]);
    expect(human.stdout).toContain('architecture qwen3');
  });

  it('lists a model of a family it does not know by tensor, with one warning and no architecture', async () => {
    const dir = join(root, 'unknown-family');
    await writeShardedSafetensors(dir, tinyLlama(2), { maxShardBytes: 1e9 });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config('falcon', 2, false)));
    const { result, stderr } = await inspectJson(dir);
    expect(result.architecture).toBeNull();
    expect(result.tensors).toHaveLength(tinyLlama(2).length);
    expect(result.totals.parameters).toBe(80 + 2 * 592 + 8 + 80);
    expect(stderr).toMatch(/model_type "falcon" is not supported .*; listing the tensors only/);
  });

  it('counts Phi-3 fused qkv_proj / gate_up_proj from the config', async () => {
    const dir = join(root, 'phi3');
    const fused = tinyLlama(2).flatMap((t): TensorSource[] => {
      if (t.name.endsWith('k_proj.weight') || t.name.endsWith('v_proj.weight') || t.name.endsWith('up_proj.weight') && !t.name.includes('gate')) return [];
      if (t.name.endsWith('q_proj.weight')) return [zeros(t.name.replace('q_proj', 'qkv_proj'), [16, 8], 'BF16')];
      if (t.name.endsWith('gate_proj.weight')) return [zeros(t.name.replace('gate_proj', 'gate_up_proj'), [32, 8], 'BF16')];
      return [t];
    });
    await writeShardedSafetensors(dir, fused, { maxShardBytes: 1e9 });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config('phi3', 2, false)));
    const { result, stderr } = await inspectJson(dir);
    const handCount = 80 + 2 * 592 + 8 + 80;
    expect(result.architecture).toMatchObject({ modelType: 'phi3', parameterCount: handCount, parameterCountFromConfig: handCount });
    expect(stderr).toBe('');
  });

  it('warns when the weights do not match the config', async () => {
    // 2 layers written (80 + 2 * 592 + 8 + 80), config claims 3 (80 + 3 * 592 + 8 + 80).
    const dir = join(root, 'mismatch');
    await writeShardedSafetensors(dir, tinyLlama(2), { maxShardBytes: 1e9 });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config('llama', 3, false)));
    const run = await runCli(['inspect', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: .* hold 1352 parameters but config.json implies 1944/);
  });

  const malformed: [string, () => Promise<string>, string][] = [
    [
      'a file with a non-JSON header',
      async () => {
        const path = join(root, 'bad-json.safetensors');
        const header = Buffer.from('{"a": {"dtype": "F32"');
        const prefix = Buffer.alloc(8);
        prefix.writeBigUInt64LE(BigInt(header.length));
        await writeFile(path, Buffer.concat([prefix, header]));
        return path;
      },
      'HEADER_NOT_JSON',
    ],
    [
      'a truncated file',
      async () => {
        const path = join(root, 'truncated.safetensors');
        await writeSafetensors(path, [zeros('w', [64])]);
        const { readFile } = await import('node:fs/promises');
        await writeFile(path, (await readFile(path)).subarray(0, -10));
        return path;
      },
      'OFFSETS_OUT_OF_BOUNDS',
    ],
    ['a missing file', async () => join(root, 'nope.safetensors'), 'FILE_NOT_FOUND'],
    [
      'a model directory whose index escapes it',
      async () => {
        const dir = join(root, 'escape');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'config.json'), JSON.stringify(config('llama', 1, false)));
        await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: '../small.safetensors' } }));
        return dir;
      },
      'PATH_TRAVERSAL',
    ],
  ];
  it.each(malformed)('on %s exits non-zero with one line on stderr and no stack trace', async (_label, make, code) => {
    const run = await runCli(['inspect', await make()]);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error \\[${code}\\]: `));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
