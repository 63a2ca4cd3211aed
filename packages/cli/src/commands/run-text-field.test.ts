// `layerprune run --field NAME`: calibration and healing read the JSON Lines field
// (or Parquet column) named, giving exactly the numbers of the same documents as
// plain text; without it such a file fails before any work, in one line.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../testing/run-cli.js';

let dir: string;
let configPath: string;
let text: string;
let jsonl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerprune-run-field-'));
  // The bundled calibration text is blank-line-separated documents: the first 120 as .txt and as JSON Lines.
  const documents = (await readFile(defaultCalibrationFile(), 'utf8')).split(/\n\s*\n/).filter((d) => d.trim() !== '').slice(0, 120);
  text = join(dir, 'docs.txt');
  jsonl = join(dir, 'docs.jsonl');
  await writeFile(text, `${documents.join('\n\n')}\n`);
  await writeFile(jsonl, documents.map((d) => JSON.stringify({ id: d.length, content: d })).join('\n') + '\n');
  const heldout = join(dir, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2000));
  configPath = join(dir, 'pipeline.yaml');
  await writeFile(
    configPath,
    ['fractions: [0.2]', 'methods: [deepest]', `eval: ["loss:${heldout}"]`, 'analysis: { samples: 16, seqLen: 48 }', 'heal: { steps: 4, batch: 2, microBatch: 1, seqLen: 32, warmup: 1 }', ''].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Results {
  baseline: Record<string, number>;
  runs: { removed: [number, number][]; before: Record<string, number>; after: Record<string, number> | null }[];
}

function run(name: string, args: string[]): Results {
  const r = runBin(['run', '--config', configPath, '--out', join(dir, name), '--quiet', '--json', ...args], { timeoutMs: 240_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Results;
}

describe('layerprune run --field', () => {
  it('analyses and heals on the named JSON Lines field exactly as on the same documents as text', () => {
    const fromText = run('text', ['--data', text]);
    const fromField = run('field', ['--data', jsonl, '--text-field', 'content']);
    expect(fromField.runs.map((r) => r.removed)).toEqual(fromText.runs.map((r) => r.removed));
    expect(fromField.runs[0].after).not.toBeNull();
    expect(fromField.baseline).toEqual(fromText.baseline);
    expect(fromField.runs.map((r) => [r.before, r.after])).toEqual(fromText.runs.map((r) => [r.before, r.after]));
  });

  it('without --field, a JSON Lines file with no "text" field fails before any work with one line naming the field', () => {
    const r = runBin(['run', '--config', configPath, '--data', jsonl, '--out', join(dir, 'missing'), '--quiet']);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error \[MISSING_FIELD\]: .*docs\.jsonl:1: no "text" field \(fields: id, content\)/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
