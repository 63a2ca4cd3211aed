import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelFiles } from './open-model-files.js';
import { float32LeBytes, rawSafetensors } from './testing/raw-safetensors.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';

let root: string;
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(root);
});

const config = {
  model_type: 'llama',
  hidden_size: 4,
  intermediate_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  vocab_size: 3,
  my_custom_field: { keep: ['me'] },
};

async function makeModel(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), content);
  }
  return dir;
}

const shard = (name: string, values: number[]): Uint8Array =>
  rawSafetensors({ [name]: { dtype: 'F32', shape: [values.length], data_offsets: [0, values.length * 4] } }, float32LeBytes(values));

describe('openModelFiles', () => {
  it('reads config, sharded weights through the index, and lists the other files', async () => {
    const dir = await makeModel('sharded', {
      'config.json': JSON.stringify(config),
      'model-00001-of-00002.safetensors': shard('model.embed_tokens.weight', [1, 2, 3]),
      'model-00002-of-00002.safetensors': shard('model.norm.weight', [4, 5]),
      'model.safetensors.index.json': JSON.stringify({
        metadata: { total_size: 20 },
        weight_map: { 'model.norm.weight': 'model-00002-of-00002.safetensors', 'model.embed_tokens.weight': 'model-00001-of-00002.safetensors' },
      }),
      'tokenizer.json': '{}',
      'tokenizer_config.json': '{}',
      'generation_config.json': '{}',
      'special_tokens_map.json': '{}',
      'README.md': '# model',
      'pytorch_model.bin': 'stale weights',
      '.gitattributes': '*',
    });
    const model = await openModelFiles(dir);
    try {
      expect(model.dir).toBe(dir);
      expect(model.rawConfig).toEqual(config);
      expect(model.weights.sharded).toBe(true);
      expect(model.weights.index?.metadata).toEqual({ total_size: 20 });
      expect(model.weights.names()).toEqual(['model.embed_tokens.weight', 'model.norm.weight']);
      expect(Array.from(await model.weights.readFloat32('model.norm.weight'))).toEqual([4, 5]);
      expect(model.weights.has('lm_head.weight')).toBe(false);
      expect(() => model.weights.info('lm_head.weight')).toThrow(expect.objectContaining({ code: 'TENSOR_NOT_FOUND' }));
      expect(model.files).toEqual({
        tokenizer: join(dir, 'tokenizer.json'),
        tokenizerConfig: join(dir, 'tokenizer_config.json'),
        generationConfig: join(dir, 'generation_config.json'),
        others: [join(dir, 'README.md'), join(dir, 'special_tokens_map.json')],
      });
    } finally {
      await model.close();
    }
  });

  it('reads a single model.safetensors and follows symlinks like the Hugging Face cache', async () => {
    // huggingface_hub: models--org--name/snapshots/<rev>/<file> -> ../../blobs/<sha>
    await makeModel('models--org--tiny/blobs', { abc: shard('w', [7]), cfg: JSON.stringify(config), tok: '{}' });
    const dir = await makeModel('models--org--tiny/snapshots/rev1', {});
    await symlink('../../blobs/abc', join(dir, 'model.safetensors'));
    await symlink('../../blobs/cfg', join(dir, 'config.json'));
    await symlink('../../blobs/tok', join(dir, 'tokenizer.json'));
    const model = await openModelFiles(dir);
    expect(model.weights.sharded).toBe(false);
    expect(model.weights.files).toEqual([join(dir, 'model.safetensors')]);
    expect(Array.from(await model.weights.readFloat32('w'))).toEqual([7]);
    expect(model.files).toEqual({ tokenizer: join(dir, 'tokenizer.json'), tokenizerConfig: null, generationConfig: null, others: [] });
    await model.close();
  });

  it.each([
    ['tokenizer.json', 'tokenizer.json'],
    ['a README', 'README.md'],
    ['the weights', 'model.safetensors'],
    ['config.json', 'config.json'],
  ])('refuses %s symlinked to outside the directory (SYMLINK_OUTSIDE_MODEL_DIR)', async (_label, file) => {
    const outside = await makeModel(`elsewhere-${file}`, { secret: file === 'model.safetensors' ? shard('w', [1]) : file === 'config.json' ? JSON.stringify(config) : 'secret' });
    const files: Record<string, string | Uint8Array> = { 'config.json': JSON.stringify(config), 'model.safetensors': shard('w', [1]) };
    delete files[file];
    const dir = await makeModel(`linked-${file}`, files);
    await symlink(join(outside, 'secret'), join(dir, file));
    const error = (await openModelFiles(dir).then(
      () => new Error('opened'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, file), found: join(outside, 'secret') });
    expect(error.message).toContain(`${join(dir, file)}: a symbolic link to ${join(outside, 'secret')}, which is outside the model directory ${dir}`);
  });

  it('accepts a symlink that stays inside the directory', async () => {
    const dir = await makeModel('inner-link', { 'config.json': JSON.stringify(config), 'model.safetensors': shard('w', [1]), 'real/tok.json': '{}' });
    await symlink('real/tok.json', join(dir, 'tokenizer.json'));
    const model = await openModelFiles(dir);
    expect(model.files.tokenizer).toBe(join(dir, 'tokenizer.json'));
    await model.close();
  });

  it.each([
    ['../outside.safetensors'],
    ['/etc/passwd'],
    ['sub/../../outside.safetensors'],
    ['..\\outside.safetensors'],
    ['C:\\Windows\\x.safetensors'],
  ])('refuses the weight_map file name %j with PATH_TRAVERSAL', async (file) => {
    await makeModel('outside-target', { 'outside.safetensors': shard('w', [1]) });
    const dir = await makeModel(`traversal-${Math.random().toString(36).slice(2)}`, {
      'config.json': JSON.stringify(config),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: { w: file } }),
    });
    await expect(openModelFiles(dir)).rejects.toMatchObject({ code: 'PATH_TRAVERSAL', tensor: 'w', file: join(dir, 'model.safetensors.index.json') });
  });

  it('prefers model.safetensors over an index when both exist (as transformers does)', async () => {
    const dir = await makeModel('both', {
      'config.json': JSON.stringify(config),
      'model.safetensors': shard('single', [1]),
      'part.safetensors': shard('sharded', [2]),
      'model.safetensors.index.json': JSON.stringify({ weight_map: { sharded: 'part.safetensors' } }),
    });
    const model = await openModelFiles(dir);
    expect(model.weights.sharded).toBe(false);
    expect(model.weights.names()).toEqual(['single']);
    await model.close();
  });

  it('allows weight files in a subdirectory', async () => {
    const dir = await makeModel('subdir', {
      'config.json': JSON.stringify(config),
      'weights/part.safetensors': shard('w', [3]),
      'model.safetensors.index.json': JSON.stringify({ weight_map: { w: 'weights/part.safetensors' } }),
    });
    const model = await openModelFiles(dir);
    expect(Array.from(await model.weights.readFloat32('w'))).toEqual([3]);
    await model.close();
  });

  it.each([
    ['no config.json', {}, 'CONFIG_NOT_FOUND'],
    ['a config that is not JSON', { 'config.json': '{oops' }, 'CONFIG_INVALID'],
    ['no weights', { 'config.json': JSON.stringify(config), 'pytorch_model.bin': 'x' }, 'WEIGHTS_NOT_FOUND'],
    ['an index that is not JSON', { 'config.json': JSON.stringify(config), 'model.safetensors.index.json': '[' }, 'INDEX_INVALID'],
    ['an index without weight_map', { 'config.json': JSON.stringify(config), 'model.safetensors.index.json': '{}' }, 'INDEX_INVALID'],
    [
      'an index naming a tensor its shard lacks',
      {
        'config.json': JSON.stringify(config),
        'a.safetensors': shard('w', [1]),
        'model.safetensors.index.json': JSON.stringify({ weight_map: { w: 'a.safetensors', v: 'a.safetensors' } }),
      },
      'INDEX_INVALID',
    ],
    [
      'an index naming a missing shard',
      { 'config.json': JSON.stringify(config), 'model.safetensors.index.json': JSON.stringify({ weight_map: { w: 'gone.safetensors' } }) },
      'FILE_NOT_FOUND',
    ],
    ['a corrupt weights file', { 'config.json': JSON.stringify(config), 'model.safetensors': 'garbage!' }, 'HEADER_TOO_LARGE'],
  ])('refuses a directory with %s', async (label, files, code) => {
    const dir = await makeModel(label.replaceAll(' ', '-'), files as Record<string, string>);
    await expect(openModelFiles(dir)).rejects.toMatchObject({ code });
  });

  it('refuses a path that is not a directory', async () => {
    await expect(openModelFiles(join(root, 'missing'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
