import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURE, joinDocuments, splitTinyStories } from '../scripts/split-tinystories.mjs';
import { AssetsError } from './assets-error.js';
import { assetsRoot, defaultCalibrationFile, defaultHeldoutFile, defaultMmluDir, defaultModelDir, testModelDir } from './bundled-assets.js';

const FIXTURES = resolve(assetsRoot(), '..', '..', '..', 'shared', 'fixtures');

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

  test('is exactly what scripts/split-tinystories.mjs makes from the fixture', () => {
    const split = splitTinyStories(readFileSync(FIXTURE, 'utf8'));
    expect(calibration).toBe(joinDocuments(split.calibration));
    expect(heldout).toBe(joinDocuments(split.heldout));
  });

  test('the two parts are consecutive and disjoint: together they are every paragraph of the fixture, in order', () => {
    const docs = (text: string): string[] => text.replace(/\n$/, '').split('\n\n');
    const all = readFileSync(FIXTURE, 'utf8')
      .split(/\n{2,}/)
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const a = docs(calibration);
    const b = docs(heldout);
    expect([...a, ...b]).toEqual(all);
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
  test('every dev and test CSV is byte-identical to the fixture', () => {
    const dir = defaultMmluDir();
    for (const split of ['dev', 'test']) {
      const files = readdirSync(join(dir, split)).sort();
      expect(files).toHaveLength(57);
      expect(files).toEqual(readdirSync(join(FIXTURES, 'data', 'mmlu', split)).sort());
      for (const f of files) {
        expect(readFileSync(join(dir, split, f)).equals(readFileSync(join(FIXTURES, 'data', 'mmlu', split, f))), f).toBe(true);
      }
    }
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
