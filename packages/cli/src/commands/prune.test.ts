import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer, selectBackend } from '@layerprune/model';
import { writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import type { PruneCommandResult } from './prune.js';

let root: string;
let model: string;

/** A 4-layer random llama (hidden 8) written with tensor-io: enough for the CLI paths. */
async function writeSmallLlama(dir: string, layers: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 0.2 - 0.1;
  const tensor = (name: string, shape: number[]): TensorSource => {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, random);
    return { name, dtype: 'F32', shape, read: () => values };
  };
  const tensors = [tensor('model.embed_tokens.weight', [16, 8])];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(tensor(`${p}input_layernorm.weight`, [8]), tensor(`${p}post_attention_layernorm.weight`, [8]));
    for (const proj of ['q', 'k', 'v', 'o']) tensors.push(tensor(`${p}self_attn.${proj}_proj.weight`, [8, 8]));
    for (const proj of ['gate', 'up']) tensors.push(tensor(`${p}mlp.${proj}_proj.weight`, [12, 8]));
    tensors.push(tensor(`${p}mlp.down_proj.weight`, [8, 12]));
  }
  tensors.push(tensor('model.norm.weight', [8]), tensor('lm_head.weight', [16, 8]));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: layers,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-5,
    vocab_size: 16,
    max_position_embeddings: 64,
    tie_word_embeddings: false,
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-prune-'));
  model = join(root, 'model');
  await writeSmallLlama(model, 4);
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function pruneJson(args: string[]): Promise<PruneCommandResult> {
  const run = await runCli(['prune', '--model', model, '--json', '--quiet', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PruneCommandResult;
}

describe('layerprune prune', () => {
  it('turns each selector into the plan it names', async () => {
    const cases: Array<[string[], number[][]]> = [
      [['--drop', '1:3'], [[1, 3]]],
      [['--drop', '0:1,2:3'], [[0, 1], [2, 3]]],
      [['--drop-layers', '2,0'], [[0, 1], [2, 3]]],
      [['--keep', '0:1,3:4'], [[1, 3]]],
      [['--drop-deepest', '2'], [[1, 3]]],
    ];
    for (const [i, [args, removed]] of cases.entries()) {
      const result = await pruneJson(['--out', join(root, `sel-${i}`), ...args]);
      expect([args, result.removedBlocks]).toEqual([args, removed]);
      const config = JSON.parse(await readFile(join(root, `sel-${i}`, 'config.json'), 'utf8'));
      expect(config.num_hidden_layers).toBe(4 - removed.reduce((s, [a, b]) => s + b - a, 0));
    }
  });

  it('takes the block from an analysis file and reports mapping, parameters and files', async () => {
    const analysis = join(root, 'analysis.json');
    // The shape `layerprune analyze` writes (other fields left out).
    const optimal = [
      { n: 1, start: 2, end: 3, distance: 0.05, standardError: null },
      { n: 2, start: 1, end: 3, distance: 0.1, standardError: null },
    ];
    await writeFile(analysis, JSON.stringify({ format: 'layerprune.analysis', version: 1, numLayers: 4, optimal }));
    const result = await pruneJson(['--out', join(root, 'from-analysis'), '--from-analysis', analysis, '--n', '2']);
    expect(result.mapping).toEqual([
      { old: 0, new: 0 },
      { old: 1, new: null },
      { old: 2, new: null },
      { old: 3, new: 1 },
    ]);
    // Per layer: 2 norms of 8, 4 attention 8x8, 3 MLP 12x8; outside: embed 16x8, norm 8, head 16x8.
    const perLayer = 16 + 4 * 64 + 3 * 96;
    const outside = 128 + 8 + 128;
    expect(result.parameters.before).toBe(outside + 4 * perLayer);
    expect(result.parameters.after).toBe(outside + 2 * perLayer);
    expect(result.files.map((f) => f.file)).toEqual(['config.json', 'layerprune.json', 'model.safetensors', 'README.md']);
    expect(result.totalBytes).toBe(result.files.reduce((s, f) => s + f.bytes, 0));
  });

  it('prints a human summary with the old -> new table', async () => {
    const run = await runCli(['prune', '--model', model, '--out', join(root, 'human'), '--drop', '1:2', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('layers 4 -> 3 (removed [1, 2))');
    expect(run.stdout).toMatch(/^\s+1\s+removed$/m);
    expect(run.stdout).toMatch(/^\s+3\s+2$/m);
    expect(run.stdout).toMatch(/model\.safetensors\s+\d/);
  });

  it('refuses bad requests with one line, a non-zero exit and no output directory', async () => {
    const cases: Array<[string[], RegExp, number]> = [
      [['--out', join(root, 'r1')], /^error \[USAGE\]: prune needs exactly one of/, 2],
      [['--out', join(root, 'r2'), '--drop', '1:2', '--keep', '0:1'], /^error \[USAGE\]/, 2],
      [['--out', join(root, 'r3'), '--n', '2', '--drop', '1:2'], /^error \[USAGE\]: --from-analysis and --n/, 2],
      [['--out', join(root, 'r4'), '--drop', '0:4'], /^error \[PLAN_REMOVES_ALL\]/, 1],
      [['--out', join(root, 'r5'), '--drop', '3:4'], /^error \[FINAL_BLOCK_REQUIRES_FLAG\]/, 1],
      [['--out', join(root, 'r6'), '--drop', '2-3'], /^error \[PLAN_SYNTAX\]: --drop/, 1],
      [['--out', model, '--drop', '1:2', '--force'], /^error \[OUTPUT_IS_INPUT\]/, 1],
    ];
    for (const [args, pattern, code] of cases) {
      const run = await runCli(['prune', '--model', model, ...args]);
      expect([args, run.code]).toEqual([args, code]);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
      expect(existsSync(args[1]) && args[1] !== model).toBe(false);
    }
  });

  it('drops the final block with --allow-final-block and warns on stderr', async () => {
    const run = await runCli(['prune', '--model', model, '--out', join(root, 'final'), '--drop', '3:4', '--allow-final-block', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: the final block (layer 3) is removed');
    expect((JSON.parse(run.stdout) as PruneCommandResult).numLayers).toEqual({ before: 4, after: 3 });
  });
});

describe('layerprune prune on the bundled default model', () => {
  it('writes a 4-layer model that inspect reports and that generates what the original generates with the block skipped', async () => {
    const out = join(root, 'default-pruned');
    const run = await runCli(['prune', '--out', out, '--drop-deepest', '1', '--json', '--quiet']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as PruneCommandResult;
    expect(result.model).toBe(resolve(defaultModelDir()));
    expect(result.removedBlocks).toEqual([[3, 4]]);

    const inspect = await runCli(['inspect', out, '--json']);
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout).architecture.numLayers).toBe(4);

    const prompt = 'Once upon a time';
    const generate = await runCli(['generate', '--model', out, '--prompt', prompt, '--max-tokens', '40', '--temperature', '0', '--backend', 'wasm', '--json', '--quiet']);
    expect(generate.code).toBe(0);
    const generated = JSON.parse(generate.stdout) as { text: string; tokens: number[]; promptTokens: number[] };
    expect(generated.text.startsWith(prompt)).toBe(true);
    expect(generated.text.slice(prompt.length).match(/[a-z]+/gi)?.length ?? 0).toBeGreaterThan(5);

    // Same tokens as the unpruned default model run with block 3 skipped.
    await selectBackend('wasm', () => {});
    const tokenizer = await loadTokenizer(out);
    expect(tokenizer.encode(prompt)).toEqual(generated.promptTokens);
    const original = await loadModel(defaultModelDir(), { backend: 'wasm', log: () => {} });
    try {
      const skipped = await original.generate(generated.promptTokens, { maxTokens: 40, temperature: 0, skipLayers: [3] });
      expect(generated.tokens).toEqual(skipped);
    } finally {
      original.dispose();
    }
  });
});
