import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildResultsTable } from './results-table.js';
import { healingEngines } from './run-results.js';
import { sampleResults } from './testing/sample-results.js';
import { writeReport } from './write-report.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('buildResultsTable', () => {
  it('has the unpruned row then one row per run, metrics shown before → healed', () => {
    const results = sampleResults(6);
    const table = buildResultsTable(results);
    expect(table.rows).toHaveLength(1 + results.runs.length);
    expect(table.rows[0].slice(0, 3)).toEqual(['unpruned', '–', '6']);
    const similarity2 = table.rows.find((r) => r[0].startsWith('similarity, n=2'));
    const run = results.runs.find((r) => r.id === 'similarity-n2')!;
    expect(similarity2?.[2]).toBe(String(6 - 2));
    expect(similarity2?.[5]).toBe(`${run.before.loss.toFixed(4)} → ${run.after!.loss.toFixed(4)}`);
    expect(similarity2?.[6]).toBe(`${(run.before['mmlu.acc'] * 100).toFixed(1)}% → ${(run.after!['mmlu.acc'] * 100).toFixed(1)}%`);
  });
});

describe('writeReport', () => {
  it('writes a self-contained HTML page, Markdown, SVG figures and results.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-report-'));
    dirs.push(dir);
    const results = sampleResults(6);
    const written = await writeReport(dir, results);
    // heatmap + min curve + one per metric + healing curve
    expect(written.figures.map((f) => f.split('/').pop())).toEqual([
      'distance-heatmap.svg',
      'min-distance.svg',
      'metric-loss.svg',
      'metric-mmlu-acc.svg',
      'healing-loss.svg',
    ]);
    const html = await readFile(written.html, 'utf8');
    expect(html.match(/<svg[\s>]/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('<table id="results">');
    const md = await readFile(written.markdown, 'utf8');
    for (const f of written.figures) expect(md).toContain(`figures/${f.split('/').pop()}`);
    const back = JSON.parse(await readFile(written.results, 'utf8'));
    expect(back).toEqual(results);
  });

  it('names the engine and its device; results written before engines existed ran on tfjs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-report-'));
    dirs.push(dir);
    const onnx = sampleResults(6);
    onnx.environment = { ...onnx.environment, engine: 'onnx', backend: 'cpu' };
    const written = await writeReport(join(dir, 'onnx'), onnx);
    expect(await readFile(written.markdown, 'utf8')).toContain('engine onnx on `cpu`.');
    expect(await readFile(written.html, 'utf8')).toContain('engine onnx on <code>cpu</code>.');
    const old = await writeReport(join(dir, 'old'), sampleResults(6));
    expect(await readFile(old.markdown, 'utf8')).toContain('engine tfjs on `wasm`.');
  });

  it('names the engine healing trained on when the runs record it; older results say nothing of it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-report-'));
    dirs.push(dir);
    const results = sampleResults(6);
    results.environment = { ...results.environment, engine: 'onnx', backend: 'cpu' };
    results.runs = results.runs.map((run) => (run.healing === null ? run : { ...run, healing: { ...run.healing, engine: 'tfjs', backend: 'wasm' } }));
    expect(healingEngines(results)).toEqual([{ engine: 'tfjs', backend: 'wasm' }]);
    const written = await writeReport(join(dir, 'healed'), results);
    expect(await readFile(written.markdown, 'utf8')).toContain('engine onnx on `cpu`. Healing trained on engine tfjs on `wasm`.');
    expect(await readFile(written.html, 'utf8')).toContain('engine onnx on <code>cpu</code>. Healing trained on engine tfjs on <code>wasm</code>.</p>');
    const old = await writeReport(join(dir, 'old'), sampleResults(6));
    expect(healingEngines(sampleResults(6))).toEqual([]);
    expect(await readFile(old.markdown, 'utf8')).not.toContain('Healing trained');
  });
});
