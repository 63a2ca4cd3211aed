import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from './open-safetensors.js';
import { openWeightStore } from './open-weight-store.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';
import type { TensorSource } from './types.js';
import { shardFileName, writeShardedSafetensors } from './write-sharded-safetensors.js';

let root: string;
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(root);
});

/** Tensor i holds i*1000 + 0..n-1, so every value says where it came from. */
function numbered(i: number, n: number): TensorSource {
  return { name: `t${i}`, dtype: 'F32', shape: [n], read: () => Float32Array.from({ length: n }, (_, k) => i * 1000 + k) };
}

describe('writeShardedSafetensors', () => {
  it('splits at the size limit, writes the index, and reads back every value', async () => {
    const dir = join(root, 'sharded');
    // 100 bytes each (25 floats); limit 250 -> shards of [t0,t1], [t2,t3], [t4], with t4 of 400 bytes alone.
    const tensors = [numbered(0, 25), numbered(1, 25), numbered(2, 25), numbered(3, 25), numbered(4, 100)];
    const result = await writeShardedSafetensors(dir, tensors, { maxShardBytes: 250, metadata: { format: 'pt' } });
    const names = [0, 1, 2].map((i) => shardFileName('model', i, 3));
    expect(names[0]).toBe('model-00001-of-00003.safetensors');
    expect(result).toEqual({ files: names.map((n) => join(dir, n)), indexPath: join(dir, 'model.safetensors.index.json'), totalSize: 800 });
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 800 },
      weight_map: { t0: names[0], t1: names[0], t2: names[1], t3: names[1], t4: names[2] },
    });
    const sizes = [];
    for (const file of result.files) {
      const reader = await openSafetensors(file);
      sizes.push([...reader.tensors.values()].reduce((s, t) => s + t.byteLength, 0));
      expect(reader.metadata).toEqual({ format: 'pt' });
      await reader.close();
    }
    expect(sizes).toEqual([200, 200, 400]);
    const store = await openWeightStore(dir);
    expect(store.sharded).toBe(true);
    expect(store.names()).toEqual(['t0', 't1', 't2', 't3', 't4']);
    for (const [i, n] of [[0, 25], [3, 25], [4, 100]]) {
      expect(Array.from(await store.readFloat32(`t${i}`))).toEqual(Array.from({ length: n }, (_, k) => i * 1000 + k));
    }
    expect(store.info('t3').file).toBe(join(dir, names[1]));
    await store.close();
  });

  it('writes one model.safetensors and no index when everything fits, removing stale shards of an earlier save', async () => {
    const dir = join(root, 'single');
    await writeShardedSafetensors(dir, [numbered(0, 25), numbered(1, 25), numbered(2, 25)], { maxShardBytes: 100 });
    expect((await readdir(dir)).sort()).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
    await writeFile(join(dir, 'tokenizer.json'), '{}');
    const result = await writeShardedSafetensors(dir, [numbered(0, 25), numbered(1, 25)], { maxShardBytes: 1e9 });
    expect(result).toEqual({ files: [join(dir, 'model.safetensors')], indexPath: null, totalSize: 200 });
    expect((await readdir(dir)).sort()).toEqual(['model.safetensors', 'tokenizer.json']);
    const store = await openWeightStore(dir);
    expect(store.sharded).toBe(false);
    expect(Array.from(await store.readFloat32('t1'))).toEqual(Array.from({ length: 25 }, (_, k) => 1000 + k));
    await store.close();
  });

  it('uses baseName for shards and index', async () => {
    const dir = join(root, 'base');
    const result = await writeShardedSafetensors(dir, [numbered(0, 4), numbered(1, 4)], { maxShardBytes: 16, baseName: 'adapter' });
    expect(result.files.map((f) => f.slice(dir.length + 1))).toEqual(['adapter-00001-of-00002.safetensors', 'adapter-00002-of-00002.safetensors']);
    expect(result.indexPath).toBe(join(dir, 'adapter.safetensors.index.json'));
  });

  it('refuses a non-positive shard size and duplicate names across shards', async () => {
    await expect(writeShardedSafetensors(join(root, 'x'), [], { maxShardBytes: 0 })).rejects.toMatchObject({ code: 'INVALID_SIZE' });
    await expect(writeShardedSafetensors(join(root, 'y'), [numbered(0, 4), numbered(0, 4)], { maxShardBytes: 16 })).rejects.toMatchObject({
      code: 'DUPLICATE_TENSOR',
      tensor: 't0',
    });
  });
});
