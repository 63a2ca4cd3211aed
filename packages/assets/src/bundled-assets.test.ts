import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { joinDocuments, splitTinyStories } from '../scripts/split-tinystories.mjs';
import { AssetsError } from './assets-error.js';
import { assetsRoot, defaultCalibrationFile, defaultHeldoutFile, defaultMmluDir, defaultModelDir, testModelDir } from './bundled-assets.js';

/**
 * The TinyStories validation sample the split was made from is not in the repository
 * (see data/SOURCE.md). Its paragraphs (split at 2+ newlines, trimmed, empty ones
 * dropped), joined by one blank line, have this sha256 and count, computed from the
 * original file independently of the project:
 *   python3 -c "import re,hashlib; t=open('tinystories_val.txt',encoding='utf-8').read();
 *     p=[x.strip() for x in re.split(r'\n{2,}',t)]; p=[x for x in p if x];
 *     print(len(p), hashlib.sha256('\n\n'.join(p).encode()).hexdigest())"
 * (the original file's own sha256: 5fc1fb0113df62b567fb271806cd645ce8d75f59c58ca0b764c03d3b6ff34ca6).
 */
const SOURCE_PARAGRAPHS = { count: 4300, sha256: '23d210c0aa27437790045e1bf3657a280387e9cef341c19af109b84229f4789e' };

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => {
    const s = statSync(join(dir, f));
    return n + (s.isDirectory() ? dirBytes(join(dir, f)) : s.size);
  }, 0);
}

describe('bundled model', () => {
  test('the default model is a Hugging Face Llama directory with its licence', () => {
    const dir = defaultModelDir();
    expect(readdirSync(dir).sort()).toEqual([
      'LICENSE',
      'SOURCE.md',
      'SOURCE.txt',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer.model',
      'tokenizer_config.json',
    ]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 5, vocab_size: 512 });
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2023 Andrej Karpathy');
  });

  test('the BabyLlama test model is there, with its licence, and unknown names are refused', () => {
    const dir = testModelDir('babyllama-tok105');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2023 Enio Fernandes');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toMatchObject({ hidden_size: 128, vocab_size: 105 });
    expect(() => testModelDir('nope' as 'babyllama-tok105')).toThrow(AssetsError);
  });
});

describe('bundled TinyStories split', () => {
  const calibration = readFileSync(defaultCalibrationFile(), 'utf8');
  const heldout = readFileSync(defaultHeldoutFile(), 'utf8');

  test('is exactly what scripts/split-tinystories.mjs makes of the source paragraphs', () => {
    const split = splitTinyStories(`${calibration}\n${heldout}`);
    expect(calibration).toBe(joinDocuments(split.calibration));
    expect(heldout).toBe(joinDocuments(split.heldout));
  });

  test('the two parts are consecutive and disjoint: together they are every paragraph of the source, in order', () => {
    const docs = (text: string): string[] => text.replace(/\n$/, '').split('\n\n');
    const a = docs(calibration);
    const b = docs(heldout);
    const all = [...a, ...b];
    expect(all.length).toBe(SOURCE_PARAGRAPHS.count);
    expect(createHash('sha256').update(all.join('\n\n')).digest('hex')).toBe(SOURCE_PARAGRAPHS.sha256);
    expect(a.length).toBe(3324);
    expect(b.length).toBe(976);
    expect(b[0].startsWith('Once upon a time')).toBe(true);
    expect(a.every((d) => d !== '' && d === d.trim() && !d.includes('\n\n'))).toBe(true);
    expect(Buffer.byteLength(heldout)).toBeGreaterThan(100_000);
  });

  test('models and TinyStories together stay under 2 MB', () => {
    const total = dirBytes(resolve(assetsRoot(), 'models')) + Buffer.byteLength(calibration) + Buffer.byteLength(heldout);
    expect(total).toBeLessThan(2_000_000);
  });

  test('the licence text and notice travel with the data', () => {
    const dir = resolve(defaultCalibrationFile(), '..');
    expect(readFileSync(join(dir, 'LICENSE-CDLA-Sharing-1.0.txt'), 'utf8')).toMatch(/^Community Data License Agreement - Sharing - Version 1\.0/);
    expect(readFileSync(join(dir, 'SOURCE.md'), 'utf8')).toContain('Changed files notice');
  });
});

describe('bundled MMLU', () => {
  test('every dev and test CSV is byte-identical to the source files', () => {
    // The digest of the source's dev/ and test/ CSVs, computed from the original files
    // (not in the repository) independently of the project:
    //   cd mmlu && for s in dev test; do for f in $(ls $s | LC_ALL=C sort); do
    //     echo "$s/$f $(sha256sum $s/$f | cut -d' ' -f1)"; done; done | sha256sum
    const SOURCE_DIGEST = '8f45d66c958c77eaac5fcfad69eb933994089cc0337f6f4dd9cb312fe722a68d';
    const dir = defaultMmluDir();
    const lines: string[] = [];
    for (const split of ['dev', 'test']) {
      const files = readdirSync(join(dir, split)).sort();
      expect(files).toHaveLength(57);
      for (const f of files) lines.push(`${split}/${f} ${createHash('sha256').update(readFileSync(join(dir, split, f))).digest('hex')}\n`);
    }
    expect(createHash('sha256').update(lines.join('')).digest('hex')).toBe(SOURCE_DIGEST);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2020 Dan Hendrycks');
  });
});

describe('npm package contents', () => {
  test('package.json ships models/ and data/ but not test-models/', () => {
    const pkg = JSON.parse(readFileSync(join(assetsRoot(), 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'models', 'data']));
    expect(pkg.files.some((f) => f.includes('test-models'))).toBe(false);
  });
});
