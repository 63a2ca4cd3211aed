// The README.md of a pruned model is a new model card: front matter Hugging Face
// reads (base_model, tags, the source's license and language), what was removed
// and how, the tool version, and the source's card below.
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneModel } from './prune-model.js';
import { makeTempDir } from './testing/temp-dir.js';
import { writeTinyModel } from './testing/tiny-model.js';

let root: string;
let cleanup: () => Promise<void>;
const packageVersion = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')).version as string;
let counter = 0;

beforeAll(async () => {
  ({ path: root, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

type YamlValue = string | string[];

/**
 * A strict reader for the front matter the card writer emits: the first line is
 * `---`, then only `key: "json string"`, `key: []` or `key:` followed by
 * `- "json string"` items, then `---`. Anything else fails the test; the
 * subset is valid YAML 1.2 with the same meaning (double-quoted scalars use
 * JSON's escapes).
 */
function parseFrontMatter(card: string): { data: Record<string, YamlValue>; body: string } {
  const lines = card.split('\n');
  expect(lines[0]).toBe('---');
  const end = lines.indexOf('---', 1);
  expect(end).toBeGreaterThan(1);
  const data: Record<string, YamlValue> = {};
  let list: string[] | null = null;
  for (const line of lines.slice(1, end)) {
    const item = /^- (".*")$/.exec(line);
    if (item) {
      if (list === null) throw new Error(`list item outside a list: ${line}`);
      list.push(JSON.parse(item[1]) as string);
      continue;
    }
    const entry = /^([a-z_]+):(?: (".*"|\[\]))?$/.exec(line);
    if (!entry) throw new Error(`not a front matter line the writer emits: ${JSON.stringify(line)}`);
    if (entry[1] in data) throw new Error(`duplicate key ${entry[1]}`);
    if (entry[2] === undefined) data[entry[1]] = list = [];
    else {
      data[entry[1]] = entry[2] === '[]' ? [] : (JSON.parse(entry[2]) as string);
      list = null;
    }
  }
  for (const [key, value] of Object.entries(data)) if (Array.isArray(value) && value.length === 0 && key !== 'tags') throw new Error(`empty list ${key}`);
  return { data, body: lines.slice(end + 1).join('\n') };
}

async function model(readme: string | null): Promise<string> {
  const tiny = await writeTinyModel(join(root, `model-${counter++}`), { modelType: 'llama', numLayers: 6 });
  if (readme === null) await rm(join(tiny.dir, 'README.md'));
  else await writeFile(join(tiny.dir, 'README.md'), readme);
  return tiny.dir;
}

const SOURCE_CARD = [
  '---',
  'license: llama2',
  'language:',
  '  - en',
  '  - de',
  'pipeline_tag: text-generation',
  'tags: [facebook, meta]',
  '---',
  '',
  '# Tiny Llama',
  '',
  'A **random** model for tests: `do not use`.',
  '',
].join('\n');

describe('the model card of a pruned model', () => {
  it('names the base and the removed blocks, keeps license and language, and keeps the original card', async () => {
    const dir = await model(SOURCE_CARD);
    const out = join(root, `out-${counter++}`);
    await pruneModel({ model: dir, out, spec: { kind: 'drop-blocks', blocks: [[1, 3], [4, 5]] } });
    const card = await readFile(join(out, 'README.md'), 'utf8');
    const { data, body } = parseFrontMatter(card);
    expect(data).toEqual({ base_model: dir, tags: ['layerprune', 'pruned'], license: 'llama2', language: ['en', 'de'] });
    expect(body).toContain('Blocks removed: [1, 3), [4, 5) (half-open, 0-based; 3 of 6 blocks)');
    expect(body).toContain('Layers: 6 before, 3 after');
    expect(body).toContain('Method: drop-blocks [1, 3), [4, 5)');
    expect(body).toContain(`Written by @layerprune/surgery ${packageVersion} (layerprune).`);
    expect(body).toContain(`This model was made from \`${dir}\` by removing whole transformer blocks`);
    // The original: its front matter as a YAML block (not a second front matter), then its text unchanged.
    const original = body.slice(body.indexOf('## Original model card'));
    expect(original).toContain('```yaml\nlicense: llama2\nlanguage:\n  - en\n  - de\npipeline_tag: text-generation\ntags: [facebook, meta]\n```');
    expect(original).toContain('# Tiny Llama\n\nA **random** model for tests: `do not use`.\n');
    expect(body.match(/^---$/gm)).toBeNull();
  });

  it('a card of a card: pruning a pruned model keeps the chain, and the method of drop-deepest is named', async () => {
    const dir = await model(SOURCE_CARD);
    const first = join(root, `out-${counter++}`);
    await pruneModel({ model: dir, out: first, spec: { kind: 'drop-block', start: 3, end: 5 } });
    const second = join(root, `out-${counter++}`);
    await pruneModel({ model: first, out: second, spec: { kind: 'drop-deepest', n: 1 } });
    const { data, body } = parseFrontMatter(await readFile(join(second, 'README.md'), 'utf8'));
    expect(data).toEqual({ base_model: first, tags: ['layerprune', 'pruned'], license: 'llama2', language: ['en', 'de'] });
    expect(body).toContain('Blocks removed: [2, 3) (half-open, 0-based; 1 of 4 blocks)');
    expect(body).toContain('Method: drop-deepest n=1');
    // The first prune's card, with the source's card inside it.
    expect(body).toContain('Blocks removed: [3, 5) (half-open, 0-based; 2 of 6 blocks)');
    expect(body).toContain('# Tiny Llama');
  });

  it('says so when the source has no card, and has no license it cannot know', async () => {
    const dir = await model(null);
    const out = join(root, `out-${counter++}`);
    const result = await pruneModel({ model: dir, out, spec: { kind: 'drop-block', start: 1, end: 2 } });
    expect(result.files.map((f) => f.file)).toContain('README.md');
    const { data, body } = parseFrontMatter(await readFile(join(out, 'README.md'), 'utf8'));
    expect(data).toEqual({ base_model: dir, tags: ['layerprune', 'pruned'] });
    expect(body).toContain('## Original model card\n\nThe source model has no model card (README.md).');
  });

  it('reads a card through a link only inside the model directory', async () => {
    const dir = await model(null);
    const secret = join(root, `secret-${counter++}`);
    await writeFile(secret, 'token=abc');
    await symlink(secret, join(dir, 'README.md'));
    const out = join(root, `out-${counter++}`);
    await expect(pruneModel({ model: dir, out, spec: { kind: 'drop-block', start: 1, end: 2 } })).rejects.toMatchObject({
      code: 'SYMLINK_OUTSIDE_MODEL_DIR',
    });
  });
});
