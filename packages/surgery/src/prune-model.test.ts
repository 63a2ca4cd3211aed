import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_MANIFEST_NAME } from '@layerprune/safe-output';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneModel, PROVENANCE_FILE } from './prune-model.js';
import type { RemovalSpec } from './removal-plan.js';
import { hashDir } from './testing/hash-dir.js';
import { readModelTensorsPlain } from './testing/read-safetensors-plain.js';
import { makeTempDir } from './testing/temp-dir.js';
import { writeTinyModel } from './testing/tiny-model.js';

let root: string;
let cleanup: () => Promise<void>;
const packageVersion = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')).version as string;

beforeAll(async () => {
  ({ path: root, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

/** Independent expectation of the new name of a source tensor after dropping [start, end). */
function expectedName(name: string, start: number, end: number): string | null {
  const m = /^model\.layers\.(\d+)\.(.*)$/.exec(name);
  if (!m) return name;
  const old = Number(m[1]);
  if (old >= start && old < end) return null;
  return `model.layers.${old < start ? old : old - (end - start)}.${m[2]}`;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'none',
    (error: { code?: string }) => error.code ?? 'uncoded',
  );
}

describe('pruneModel', () => {
  it('copies kept tensors byte for byte under their new names, in their dtype, and rewrites config', async () => {
    const model = await writeTinyModel(join(root, 'bf16'), { modelType: 'llama', numLayers: 6, dtype: 'BF16' });
    const before = await hashDir(model.dir);
    const out = join(root, 'bf16-pruned');
    const result = await pruneModel({ model: model.dir, out, spec: { kind: 'drop-block', start: 2, end: 4 }, now: () => new Date(0) });

    const source = await readModelTensorsPlain(model.dir);
    const pruned = await readModelTensorsPlain(out);
    const expected = new Map<string, string>();
    for (const name of source.keys()) {
      const to = expectedName(name, 2, 4);
      if (to !== null) expected.set(to, name);
    }
    expect([...pruned.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [to, from] of expected) {
      const a = pruned.get(to)!;
      const b = source.get(from)!;
      expect([to, a.dtype, a.shape]).toEqual([to, 'BF16', b.shape]);
      expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    }

    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toEqual({ ...model.config, num_hidden_layers: 4 });
    expect(Object.keys(config)).toEqual(Object.keys(model.config));
    expect((await readdir(out)).sort()).toEqual(
      ['README.md', 'config.json', 'generation_config.json', PROVENANCE_FILE, 'model.safetensors', 'tokenizer_config.json', OUTPUT_MANIFEST_NAME].sort(),
    );
    expect(config.torch_dtype).toBe('bfloat16');
    for (const file of ['generation_config.json', 'tokenizer_config.json']) {
      expect(await readFile(join(out, file), 'utf8')).toBe(await readFile(join(model.dir, file), 'utf8'));
    }
    // README.md is the rewritten model card (prune-model-card.test.ts), with the original below.
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain(await readFile(join(model.dir, 'README.md'), 'utf8'));

    // 16 hidden, 40 intermediate, 4 heads of 4, 2 kv heads, vocab 48, untied.
    const perLayer = 16 + 16 * 16 + 2 * (8 * 16) + 16 * 16 + 16 + 3 * 40 * 16;
    const outside = 48 * 16 + 16 + 48 * 16;
    expect(result.parameters).toEqual({ before: outside + 6 * perLayer, after: outside + 4 * perLayer });
    expect(result.tensorBytes).toEqual({ before: 2 * (outside + 6 * perLayer), after: 2 * (outside + 4 * perLayer) });
    expect(await hashDir(model.dir)).toEqual(before);
  });

  it('writes provenance with source hashes, the plan, the tool version and the time', async () => {
    const model = await writeTinyModel(join(root, 'prov'), { modelType: 'mistral', numLayers: 5 });
    const out = join(root, 'prov-pruned');
    await pruneModel({ model: model.dir, out, spec: { kind: 'drop-layers', layers: [3, 1] }, now: () => new Date(Date.UTC(2026, 0, 2)) });
    const record = JSON.parse(await readFile(join(out, PROVENANCE_FILE), 'utf8'));
    const sha = createHash('sha256').update(await readFile(join(model.dir, 'model.safetensors'))).digest('hex');
    expect(record.version).toBe(packageVersion);
    expect(record.createdAt).toBe('2026-01-02T00:00:00.000Z');
    expect(record.source.path).toBe(model.dir);
    expect(record.source.weights).toEqual([{ file: 'model.safetensors', bytes: expect.any(Number), sha256: sha }]);
    expect(record.plan.spec).toEqual({ kind: 'drop-layers', layers: [3, 1] });
    expect(record.plan.removedBlocks).toEqual([[1, 2], [3, 4]]);
    expect(record.plan.oldToNew).toEqual([0, null, 1, null, 2]);
    expect(record.source.provenance).toBeNull();

    // Pruning the pruned model chains the records.
    const again = join(root, 'prov-pruned-twice');
    await pruneModel({ model: out, out: again, spec: { kind: 'drop-block', start: 0, end: 1 } });
    const second = JSON.parse(await readFile(join(again, PROVENANCE_FILE), 'utf8'));
    expect(second.source.provenance).toEqual(record);
    expect(second.plan.numLayersBefore).toBe(3);
  });

  it('keeps the input grouping of a sharded model, dropping emptied shards', async () => {
    const model = await writeTinyModel(join(root, 'sharded'), { modelType: 'qwen2', numLayers: 8, shards: 4 });
    const sourceIndex = JSON.parse(await readFile(join(model.dir, 'model.safetensors.index.json'), 'utf8'));
    const sourceShards = [...new Set(Object.values(sourceIndex.weight_map) as string[])].sort();
    expect(sourceShards.length).toBeGreaterThanOrEqual(4);
    const out = join(root, 'sharded-pruned');
    const result = await pruneModel({ model: model.dir, out, spec: { kind: 'keep-slices', slices: [[0, 3], [6, 8]] } });
    const index = JSON.parse(await readFile(join(out, 'model.safetensors.index.json'), 'utf8'));
    const source = await readModelTensorsPlain(model.dir);
    const pruned = await readModelTensorsPlain(out);
    // Two tensors share an output shard exactly when they shared an input shard.
    const shardOf = new Map<string, string>();
    let checked = 0;
    for (const [from, s] of source) {
      const to = expectedName(from, 3, 6);
      if (to === null) continue;
      const t = pruned.get(to)!;
      expect(Buffer.compare(t.bytes, s.bytes)).toBe(0);
      if (shardOf.has(s.file)) expect(shardOf.get(s.file)).toBe(t.file);
      else shardOf.set(s.file, t.file);
      checked += 1;
    }
    expect(checked).toBe(pruned.size);
    expect(new Set(shardOf.values()).size).toBe(shardOf.size);
    expect(shardOf.size).toBeGreaterThan(1);
    // The generator's third shard holds only layers 3..5, all removed: that shard disappears.
    expect(new Set([...pruned.values()].map((t) => t.file)).size).toBe(shardOf.size);
    expect(shardOf.size).toBe(sourceShards.length - 1);
    const sum = [...pruned.values()].reduce((s, t) => s + t.bytes.length, 0);
    expect(index.metadata.total_size).toBe(sum);
    expect(result.files.map((f) => f.file)).toContain('model.safetensors.index.json');
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.num_hidden_layers).toBe(5);
    expect(config.layer_types).toHaveLength(5);
    // Old max_window_layers = 6: kept old layers 0,1,2 are below it, 6,7 are not.
    expect(config.max_window_layers).toBe(3);
  });

  it('re-shards to an explicit maximum shard size', async () => {
    const model = await writeTinyModel(join(root, 'single'), { modelType: 'llama', numLayers: 4 });
    const out = join(root, 'resharded');
    const result = await pruneModel({ model: model.dir, out, spec: { kind: 'drop-deepest', n: 1 }, maxShardBytes: 8000 });
    const pruned = await readModelTensorsPlain(out);
    const perFile = new Map<string, number>();
    for (const t of pruned.values()) perFile.set(t.file, (perFile.get(t.file) ?? 0) + t.bytes.length);
    expect(perFile.size).toBeGreaterThan(1);
    // A shard exceeds the limit only if it holds one tensor bigger than the limit.
    for (const [file, bytes] of perFile) {
      const count = [...pruned.values()].filter((t) => t.file === file).length;
      expect(bytes <= 8000 || count === 1).toBe(true);
    }
    expect(result.plan.removedBlocks).toEqual([[2, 3]]);
  });

  it('refuses unsafe requests before writing anything', async () => {
    const model = await writeTinyModel(join(root, 'refuse', 'model'), { modelType: 'llama', numLayers: 4 });
    const parent = join(root, 'refuse');
    await mkdir(join(parent, 'full'));
    await writeFile(join(parent, 'full', 'keep.txt'), 'mine');
    const listing = async (): Promise<string[]> => (await readdir(parent)).sort();
    const before = await listing();
    const inputHashes = await hashDir(model.dir);
    const attempts: Array<[string, RemovalSpec, string, Record<string, unknown>]> = [
      ['out', { kind: 'drop-block', start: 0, end: 4 }, 'PLAN_REMOVES_ALL', {}],
      ['out', { kind: 'drop-block', start: 2, end: 2 }, 'PLAN_EMPTY_RANGE', {}],
      ['out', { kind: 'drop-block', start: 2, end: 5 }, 'PLAN_OUT_OF_BOUNDS', {}],
      ['out', { kind: 'keep-slices', slices: [[0, 2], [1, 3]] }, 'PLAN_OVERLAP', {}],
      ['out', { kind: 'drop-block', start: 3, end: 4 }, 'FINAL_BLOCK_REQUIRES_FLAG', {}],
      ['model', { kind: 'drop-block', start: 1, end: 2 }, 'OUTPUT_IS_INPUT', { force: true }],
      ['model/sub', { kind: 'drop-block', start: 1, end: 2 }, 'OUTPUT_INSIDE_INPUT', {}],
      ['full', { kind: 'drop-block', start: 1, end: 2 }, 'OUTPUT_EXISTS', {}],
      ['out', { kind: 'drop-block', start: 1, end: 2 }, 'PLAN_INVALID', { maxShardBytes: 0 }],
    ];
    for (const [out, spec, code, extra] of attempts) {
      const got = await codeOf(pruneModel({ model: model.dir, out: join(parent, out), spec, ...extra }));
      expect([out, spec, got]).toEqual([out, spec, code]);
      expect(await listing()).toEqual(before);
    }
    expect(await readFile(join(parent, 'full', 'keep.txt'), 'utf8')).toBe('mine');
    expect(await hashDir(model.dir)).toEqual(inputHashes);
    expect(await codeOf(pruneModel({ model: parent, out: join(root, 'x'), spec: { kind: 'drop-deepest', n: 1 } }))).toBe('CONFIG_NOT_FOUND');
  });

  it('drops the final block with allowFinalBlock and warns; force replaces only a previous layerprune output', async () => {
    const model = await writeTinyModel(join(root, 'final'), { modelType: 'llama', numLayers: 4, tieWordEmbeddings: true });
    const foreign = join(root, 'final-foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const spec = { kind: 'drop-block', start: 3, end: 4 } as const;
    expect(await codeOf(pruneModel({ model: model.dir, out: foreign, spec, allowFinalBlock: true, force: true }))).toBe('OUTPUT_NOT_OURS');
    expect(await readdir(foreign)).toEqual(['notes.txt']);

    const out = join(root, 'final-out');
    await pruneModel({ model: model.dir, out, spec: { kind: 'drop-block', start: 1, end: 2 } });
    await writeFile(join(out, 'stale.txt'), 'old');
    const result = await pruneModel({ model: model.dir, out, spec, allowFinalBlock: true, force: true });
    expect(result.warnings.join('\n')).toContain('final block (layer 3)');
    expect(await readdir(out)).not.toContain('stale.txt');
    const pruned = await readModelTensorsPlain(out);
    expect(pruned.has('lm_head.weight')).toBe(false);
    expect([...pruned.keys()].filter((n) => n.startsWith('model.layers.3.'))).toEqual([]);
    expect((await readdir(root)).filter((n) => n.includes('layerprune-'))).toEqual([]);
  });
});
