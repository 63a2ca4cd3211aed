import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard, renderDerivedModelCard, type DerivedModelCard } from './derived-model-card.js';
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

/** A directory openModelFiles accepts: a config and one tensor. */
async function writeModelFiles(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), '{"model_type":"llama"}');
  await writeFile(join(dir, 'model.safetensors'), rawSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, float32LeBytes([1])));
  return dir;
}

function card(sourceCard: string | null, overrides: Partial<DerivedModelCard> = {}): string {
  return renderDerivedModelCard({
    base: '/models/Llama-2-7b-hf',
    kind: 'quantized',
    details: ['Type: nf4, block size 64'],
    toolName: '@layerprune/quant',
    toolVersion: '1.2.3',
    sourceCard,
    ...overrides,
  });
}

function frontMatter(text: string): string {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error(`no front matter in ${text}`);
  return m[1];
}

describe('renderDerivedModelCard', () => {
  it('names a Hugging Face cache snapshot by its repo id in base_model and the title', () => {
    const text = card(null, { base: '/home/u/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/snapshots/0123456789abcdef0123456789abcdef01234567' });
    expect(frontMatter(text)).toContain('base_model: "meta-llama/Llama-2-7b-hf"');
    expect(text).toContain('# meta-llama/Llama-2-7b-hf (quantized)');
  });

  it('writes front matter, what was done, the tool, and the source card under a heading', () => {
    const text = card('---\nlicense: llama2\nlanguage:\n- en\n---\n# Llama 2\n\nThe original text.\n');
    expect(text).toBe(
      [
        '---',
        'base_model: "/models/Llama-2-7b-hf"',
        'tags:',
        '- "layerprune"',
        '- "quantized"',
        'license: "llama2"',
        'language:',
        '- "en"',
        '---',
        '',
        '# Llama-2-7b-hf (quantized)',
        '',
        'This model was made from `/models/Llama-2-7b-hf` by blockwise quantization of its linear weights in the bitsandbytes layout.',
        '',
        '- Type: nf4, block size 64',
        '',
        'Written by @layerprune/quant 1.2.3 (layerprune).',
        '',
        '## Original model card',
        '',
        'Its metadata:',
        '',
        '```yaml',
        'license: llama2',
        'language:',
        '- en',
        '```',
        '',
        '# Llama 2',
        '',
        'The original text.',
        '',
      ].join('\n'),
    );
  });

  it('reads license and language as scalars, quoted scalars, flow and block lists', () => {
    const cases: Array<[string, string[]]> = [
      ['license: mit\nlanguage: en', ['license: "mit"', 'language: "en"']],
      ['license: "apache-2.0"  # SPDX\nlanguage: [en, \'fr\']', ['license: "apache-2.0"', 'language:\n- "en"\n- "fr"']],
      ["license: 'it''s ours'\nlanguage:\n  - en # English\n  - \"de\"\ntags: [a]", ['license: "it\'s ours"', 'language:\n- "en"\n- "de"']],
    ];
    for (const [source, expected] of cases) {
      const yaml = frontMatter(card(`---\n${source}\n---\nbody\n`));
      for (const entry of expected) expect(yaml).toContain(entry);
    }
  });

  it('leaves out a license or language it cannot read faithfully, and copies no other key', () => {
    for (const source of [
      'license: other\n  continued on a second line\nlanguage: {en: yes}',
      'license: null\nlanguage: []',
      'license: &anchor mit\nlanguage: - en',
      'license: |\n  MIT\nlanguage: [en, {x: y}]',
      'licence: mit\ntags: [secret]\nbase_model: meta-llama/Llama-2-7b-hf',
    ]) {
      const yaml = frontMatter(card(`---\n${source}\n---\n`));
      expect(yaml).toBe('base_model: "/models/Llama-2-7b-hf"\ntags:\n- "layerprune"\n- "quantized"');
    }
  });

  it('handles a card without front matter, with CRLF and a BOM, and no card at all', () => {
    expect(card('# Plain card\r\n\r\nText.\r\n')).toContain('## Original model card\n\n# Plain card\n\nText.\n');
    const bom = card('\ufeff---\r\nlicense: mit\r\n---\r\n# Card\r\n');
    expect(frontMatter(bom)).toContain('license: "mit"');
    expect(bom).toContain('```yaml\nlicense: mit\n```\n\n# Card\n');
    expect(card('---\nnot closed\n')).toContain('## Original model card\n\n---\nnot closed\n');
    expect(card(null)).toContain('## Original model card\n\nThe source model has no model card (README.md).\n');
  });

  it('quotes what it cannot trust: control characters, quotes and backticks in the base path', () => {
    const base = '/models/a"b`c\u0007\u007f\u0085\ufeff\u2028:\n- x \ud83d\ude00';
    const text = card(null, { base, kind: 'merged-lora' });
    const yaml = frontMatter(text);
    expect(yaml.split('\n')[0]).toBe('base_model: "/models/a\\"b`c\\u0007\\u007f\\u0085\\ufeff\\u2028:\\n- x \ud83d\ude00"');
    expect(JSON.parse(yaml.split('\n')[0].slice('base_model: '.length))).toBe(base);
    // A lone surrogate has no YAML form: U+FFFD.
    expect(frontMatter(card(null, { base: 'a\ud800b' })).split('\n')[0]).toBe('base_model: "a\ufffdb"');
    expect(text).toContain('This model was made from ``/models/a"b`c\\u0007\\u007f\\u0085\ufeff\u2028:\\u000a- x \ud83d\ude00`` by folding a LoRA adapter into its weights.');
    // A control character cannot start a new Markdown line or front matter key.
    expect(text.split('\n').filter((line) => line.startsWith('- x'))).toEqual([]);
  });
});

describe('readModelCard', () => {
  it('reads README.md of a model directory, or null without one', async () => {
    const dir = await writeModelFiles(join(root, 'with-card'));
    await writeFile(join(dir, 'README.md'), '# card\n');
    const model = await openModelFiles(dir);
    try {
      expect(await readModelCard(model)).toBe('# card\n');
    } finally {
      await model.close();
    }
    const bare = await openModelFiles(await writeModelFiles(join(root, 'bare')));
    try {
      expect(await readModelCard(bare)).toBeNull();
    } finally {
      await bare.close();
    }
  });

  it('does not embed a card over 1 MiB', async () => {
    const dir = await writeModelFiles(join(root, 'huge-card'));
    await writeFile(join(dir, 'README.md'), 'x'.repeat((1 << 20) + 1));
    const model = await openModelFiles(dir);
    try {
      expect(await readModelCard(model)).toBe(`(The source's README.md is ${(1 << 20) + 1} bytes, more than ${1 << 20}; it is not included.)\n`);
    } finally {
      await model.close();
    }
  });
});
