// Quantize reads only models that pass tensor-io's weights-vs-config check, its
// own output passes that check (the bitsandbytes companions are explained, not
// "unexpected"), and side files are copied as regular files, never from outside.
import { lstat, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkModelWeights, openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQuantizedWeights } from './open-quantized-weights.js';
import { quantizeModelDir, type QuantizeModelOptions } from './quantize-model-dir.js';
import { makeTempDir, removeDir, writeTinyModel } from './testing/tiny-model-dir.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

describe('quantized output passes the validation every reader applies', () => {
  it.each<[string, QuantizeModelOptions]>([
    ['nf4', { type: 'nf4' }],
    ['nf4 + double quant, embeddings, lm_head and norms', { type: 'nf4', doubleQuant: true, quantizeEmbeddings: true, quantizeLmHead: true, quantizeNorms: true }],
    ['fp4, block 128, one module skipped', { type: 'fp4', blockSize: 128, skipModules: ['down_proj'] }],
    ['int8 with lm_head', { type: 'int8', quantizeLmHead: true }],
  ])('%s', async (_label, options) => {
    const tiny = await writeTinyModel(join(root, `in-${counter++}`), { layers: 2 });
    const out = join(root, `out-${counter++}`);
    await quantizeModelDir(tiny.dir, out, options);
    const model = await openModelDir(out); // validates
    expect(checkModelWeights(model)).toEqual([]);
    await model.close();
    const weights = await openQuantizedWeights(out);
    expect(weights.entry('model.layers.1.mlp.up_proj.weight').shape).toEqual([96, 64]);
    await weights.close();
  });
});

describe('quantizeModelDir input checks', () => {
  it('refuses weights that disagree with config.json, writing nothing', async () => {
    const tiny = await writeTinyModel(join(root, `in-${counter++}`), { layers: 2 });
    const config = JSON.parse(await readFile(join(tiny.dir, 'config.json'), 'utf8'));
    await writeFile(join(tiny.dir, 'config.json'), JSON.stringify({ ...config, intermediate_size: 100 }));
    const out = join(root, `out-${counter++}`);
    const error = (await quantizeModelDir(tiny.dir, out).then(
      () => new Error('quantized'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: 'model.layers.0.mlp.gate_proj.weight', field: 'intermediate_size', expected: '[100, 64]', found: '[96, 64]' });
    expect(await exists(out)).toBe(false);
  });

  it('copies a symlinked side file as a regular file and refuses one linked to outside', async () => {
    const tiny = await writeTinyModel(join(root, `in-${counter++}`), { layers: 2 });
    await writeFile(join(tiny.dir, 'real-readme.md'), '# real\n');
    await rm(join(tiny.dir, 'README.md'));
    await symlink('real-readme.md', join(tiny.dir, 'README.md'));
    const out = join(root, `out-${counter++}`);
    await quantizeModelDir(tiny.dir, out);
    const info = await lstat(join(out, 'README.md'));
    expect(info.isFile() && !info.isSymbolicLink()).toBe(true);
    // The card is rewritten (base model, quantization) with the linked original below.
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nbase_model: ".*"\ntags:\n- "layerprune"\n- "quantized"\n---\n/);
    expect(card).toContain('## Original model card\n\n# real\n');

    const secret = join(root, `secret-${counter++}`);
    await writeFile(secret, 'token=abc');
    await rm(join(tiny.dir, 'tokenizer.json'));
    await symlink(secret, join(tiny.dir, 'tokenizer.json'));
    const refused = join(root, `out-${counter++}`);
    const error = (await quantizeModelDir(tiny.dir, refused).then(
      () => new Error('quantized'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(tiny.dir, 'tokenizer.json'), found: secret });
    expect(await exists(refused)).toBe(false);
    expect((await readdir(root)).filter((n) => n.includes('tmp'))).toEqual([]);
  });
});
