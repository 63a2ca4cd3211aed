// pruneModel refuses a model whose weights disagree with its config.json (it
// would otherwise renumber them into an invalid model and exit 0), and copies
// side files as regular files, refusing links that leave the model directory.
import { lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyModelFiles } from '@layerprune/tensor-io';
import { editConfig, rewriteWeights } from '@layerprune/tensor-io/testing';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPrune } from './plan-prune.js';
import { pruneModel } from './prune-model.js';
import { hashDir } from './testing/hash-dir.js';
import { makeTempDir } from './testing/temp-dir.js';
import { writeTinyModel } from './testing/tiny-model.js';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
beforeAll(async () => {
  ({ path: root, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

const SPEC = { kind: 'drop-block', start: 1, end: 2 } as const;

async function tinyModel(): Promise<string> {
  return (await writeTinyModel(join(root, `model-${counter++}`), { modelType: 'llama', numLayers: 4 })).dir;
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

describe('pruneModel on a model whose weights disagree with config.json', () => {
  it.each<[string, (dir: string) => Promise<void>, string, RegExp]>([
    ['num_hidden_layers + 1', (d) => editConfig(d, { num_hidden_layers: 5 }), 'WEIGHTS_MISMATCH', /num_hidden_layers is 5 but .* has no tensor of layer 4 .*the weights hold 4\)/],
    ['num_hidden_layers - 1', (d) => editConfig(d, { num_hidden_layers: 3 }), 'WEIGHTS_MISMATCH', /num_hidden_layers is 3 but the weights hold 4 layers: tensor "model\.layers\.3\.input_layernorm\.weight"/],
    ['hidden_size changed', (d) => editConfig(d, { hidden_size: 20 }), 'SHAPE_MISMATCH', /tensor "model\.embed_tokens\.weight" has shape \[48, 16\] .* dimension 1 is 16, expected 20 = hidden_size 20/],
    ['a tensor deleted', (d) => rewriteWeights(d, (n) => n !== 'model.layers.2.mlp.up_proj.weight'), 'TENSOR_MISSING', /tensor "model\.layers\.2\.mlp\.up_proj\.weight" is missing; .* needs it with shape \[40, 16\]/],
    ['an extra tensor', (d) => rewriteWeights(d, () => true, { 'model.layers.1.mlp.adapter.weight': [4, 4] }), 'TENSOR_UNEXPECTED', /unexpected tensor "model\.layers\.1\.mlp\.adapter\.weight"/],
  ])('%s: refused with %s before anything is written', async (_label, breakIt, code, message) => {
    const dir = await tinyModel();
    await breakIt(dir);
    const before = await hashDir(dir);
    const out = join(root, `out-${counter++}`);
    const error = (await pruneModel({ model: dir, out, spec: SPEC }).then(
      () => new Error('pruned'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ name: 'ArchitectureError', code });
    expect(error.message).toMatch(message);
    expect(await exists(out)).toBe(false);
    expect(await hashDir(dir)).toEqual(before);
  });

  it('planPrune validates a ModelDir opened without validation', async () => {
    const dir = await tinyModel();
    await editConfig(dir, { intermediate_size: 41 });
    const model = await openModelDir(dir, { validate: false });
    try {
      expect(() => planPrune(model, SPEC)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', field: 'intermediate_size', expected: '[41, 16]', found: '[40, 16]' }));
    } finally {
      await model.close();
    }
  });
});

describe('symlinked side files', () => {
  it('copies a file linked inside the model directory as a regular file with its content', async () => {
    const dir = await tinyModel();
    await mkdir(join(dir, 'blobs'));
    await writeFile(join(dir, 'blobs', 'tok'), '{"model":{}}');
    await symlink('blobs/tok', join(dir, 'tokenizer.json'));
    const out = join(root, `out-${counter++}`);
    const result = await pruneModel({ model: dir, out, spec: SPEC });
    expect(result.copiedFiles).toContain('tokenizer.json');
    const info = await lstat(join(out, 'tokenizer.json'));
    expect(info.isSymbolicLink()).toBe(false);
    expect(info.isFile()).toBe(true);
    expect(await readFile(join(out, 'tokenizer.json'), 'utf8')).toBe('{"model":{}}');
  });

  it('refuses a file linked to outside the model directory, writing nothing', async () => {
    const dir = await tinyModel();
    const secret = join(root, `secret-${counter++}`);
    await writeFile(secret, 'private key');
    await symlink(secret, join(dir, 'tokenizer.json'));
    const out = join(root, `out-${counter++}`);
    const error = (await pruneModel({ model: dir, out, spec: SPEC }).then(
      () => new Error('pruned'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, 'tokenizer.json'), found: secret });
    expect(await exists(out)).toBe(false);
  });

  it('checks again when copying: a link swapped in after the directory was opened is refused', async () => {
    const dir = await tinyModel();
    const secret = join(root, `secret-${counter++}`);
    await writeFile(secret, 'private key');
    const model = await openModelDir(dir);
    try {
      await rm(join(dir, 'README.md'));
      await symlink(secret, join(dir, 'README.md'));
      const dest = join(root, `dest-${counter++}`);
      await mkdir(dest);
      await expect(copyModelFiles(model, dest)).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, 'README.md') });
      expect(await exists(join(dest, 'README.md'))).toBe(false);
    } finally {
      await model.close();
    }
  });
});
