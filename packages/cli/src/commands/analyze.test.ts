import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import { createCommandContext } from '../cli/command-context.js';
import { runAnalyze, type AnalyzeResult } from './analyze.js';

// Until main.ts lists it, register `analyze` for these tests so they run through the real shell.
vi.mock('./index.js', async () => ({ commands: [(await import('./analyze-options.js')).analyzeCommand] }));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-analyze-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function analyzeJson(args: string[]): Promise<AnalyzeResult> {
  const run = await runCli(['analyze', '--json', '--quiet', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as AnalyzeResult;
}

function expectOneErrorLine(run: { code: number; stderr: string }, code: string): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error \\[${code}\\]: `));
}

describe('layerprune analyze (bundled model and data)', () => {
  it('writes the table, CSV and figures, recommends a block per n, and is deterministic', async () => {
    const out = join(root, 'a');
    const result = await analyzeJson(['--samples', '60', '--seq-len', '64', '--out', out]);
    const L = result.numLayers;
    expect(result.model).toBe(defaultModelDir());
    expect(result.samples).toBeGreaterThan(50);
    expect(result.recommendations).toHaveLength(L - 1);
    for (const [i, r] of result.recommendations.entries()) {
      expect(r.n).toBe(i + 1);
      expect(r.end - r.start).toBe(r.n);
      expect(r.distance).toBeGreaterThanOrEqual(0);
      expect(r.distance).toBeLessThanOrEqual(1);
      expect(r.simpleRule).toMatchObject({ start: L - r.n - 1, end: L - 1 });
      expect(r.distance).toBeLessThanOrEqual(r.simpleRule.distance);
    }

    const analysis = JSON.parse(await readFile(result.files.json, 'utf8'));
    expect(analysis).toMatchObject({ format: 'layerprune.analysis', metric: 'angular', numLayers: L, samples: result.samples });
    expect(analysis.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(analysis.data).toMatchObject({ seed: 0, seqLen: 64, samplesRequested: 60 });
    expect(analysis.table.rows).toHaveLength(L - 1);
    for (const row of analysis.table.rows) {
      expect(row.values).toHaveLength(L - row.n + 1);
      const best = Math.min(...row.values);
      expect(analysis.optimal[row.n - 1]).toMatchObject({ n: row.n, distance: best, start: row.values.indexOf(best) });
      for (const se of row.standardErrors) expect(se).toBeGreaterThan(0);
    }

    const csv = (await readFile(result.files.csv, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('n,l,start,end,distance,standard_error,rank');
    expect(csv).toHaveLength(1 + ((L + 1) * L) / 2 - 1);
    const firstRows = csv.slice(1).filter((line) => line.startsWith('1,')).map((line) => line.split(','));
    expect(firstRows.map((c) => Number(c[4]))).toEqual(analysis.table.rows[0].values);

    const heatmap = await readFile(result.files.heatmap, 'utf8');
    expect(heatmap).toContain('first layer l');
    expect(heatmap).toContain('block size n');
    expect(heatmap).toContain('role-legend');
    expect(heatmap.split('aria-roledescription="rect mark"').length - 1).toBe(((L + 1) * L) / 2 - 1);
    expect(await readFile(result.files.curve, 'utf8')).toContain('block size n');

    // Same options, another directory: byte-identical analysis (seeded sampling, deterministic forward).
    const again = await analyzeJson(['--samples', '60', '--seq-len', '64', '--out', join(root, 'b')]);
    expect(again.recommendations).toEqual(result.recommendations);
    const table = (file: string): Promise<string> => readFile(file, 'utf8');
    expect(JSON.parse(await table(again.files.json)).table).toEqual(analysis.table);
    expect(await table(again.files.heatmap)).toBe(heatmap);
  });

  it('prints a human table of the recommended blocks', async () => {
    const run = await runCli(['analyze', '--quiet', '--samples', '24', '--seq-len', '32', '--metric', 'bi', '--out', join(root, 'c')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/block influence over 24 samples/);
    expect(run.stdout).toMatch(/^\s*1\s+\[\d+, \d+\)\s+\d\.\d{4}/m);
    expect(run.stdout).toContain('analysis.json');
  });
});

describe('layerprune analyze errors: one line each', () => {
  it('--samples 0', async () => {
    expectOneErrorLine(await runCli(['analyze', '--samples', '0', '--out', join(root, 'e')]), 'INVALID_OPTION');
  });

  it('an unknown metric, before any work (runAnalyze called directly)', async () => {
    const ctx = createCommandContext({ quiet: true });
    await expect(runAnalyze({ metric: 'euclid' as never, out: join(root, 'e') }, ctx)).rejects.toMatchObject({ code: 'UNKNOWN_METRIC' });
  });

  it('--seq-len beyond the model context', async () => {
    const run = await runCli(['analyze', '--seq-len', '100000', '--out', join(root, 'e')]);
    expectOneErrorLine(run, 'SEQ_LEN_TOO_LONG');
    expect(run.stderr).toContain('max_position_embeddings');
  });

  it('empty, missing, unreadable and malformed data files', async () => {
    const empty = join(root, 'empty.txt');
    await writeFile(empty, '\n\n');
    expectOneErrorLine(await runCli(['analyze', '--data', empty, '--out', join(root, 'e')]), 'EMPTY_INPUT');
    expectOneErrorLine(await runCli(['analyze', '--data', join(root, 'nope.jsonl'), '--out', join(root, 'e')]), 'FILE_NOT_FOUND');
    const dir = join(root, 'dir.txt');
    await mkdir(dir, { recursive: true });
    expectOneErrorLine(await runCli(['analyze', '--data', dir, '--out', join(root, 'e')]), 'NOT_A_REGULAR_FILE');
    const bad = join(root, 'bad.jsonl');
    await writeFile(bad, '{"text":"Once upon a time"}\n{"text": nope}\n');
    const run = await runCli(['analyze', '--data', bad, '--out', join(root, 'e')]);
    expectOneErrorLine(run, 'MALFORMED_JSON');
    expect(run.stderr).toContain('bad.jsonl:2');
  });
});
