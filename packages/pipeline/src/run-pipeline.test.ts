// The whole pipeline on the bundled model with tiny settings: every stage runs,
// the numbers hang together (checked against independent computations from the
// model's config and the analysis table), and a resumed run reuses every stage.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import type { RunResults } from '@layerprune/report';
import { optimalBlockFromAnalysis, readAnalysisFile } from '@layerprune/surgery';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as TrainerFactoriesModule from './engine/trainer-factories.js';
import { trainerFactories } from './engine/trainer-factories.js';
import { runPipeline, type PipelineResult } from './run-pipeline.js';
import { tinyEvalData, tinyPipelineConfig } from './testing/tiny-pipeline.js';

// The real trainerFactories, watched: which options the run asks for its trainers with.
vi.mock('./engine/trainer-factories.js', async (importOriginal) => {
  const actual = await importOriginal<typeof TrainerFactoriesModule>();
  return { ...actual, trainerFactories: vi.fn(actual.trainerFactories) };
});

let dir: string;
let first: PipelineResult;
let evalTasks: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerprune-pipeline-'));
  evalTasks = await tinyEvalData(dir);
  first = await runPipeline(tinyPipelineConfig(evalTasks, join(dir, 'out')), { toolVersion: 'test' });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Parameters of one decoder block, from the config alone. */
async function blockParameters(): Promise<{ perBlock: number; layers: number }> {
  const model = await openModelDir(defaultModelDir());
  const c = model.config;
  await model.close();
  const kv = c.numKeyValueHeads * c.headDim;
  const q = c.numAttentionHeads * c.headDim;
  const perBlock = c.hiddenSize * q + 2 * c.hiddenSize * kv + q * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize + 2 * c.hiddenSize;
  return { perBlock, layers: c.numHiddenLayers };
}

describe('runPipeline on the bundled model', () => {
  it('builds one pruned model per fraction and method with the planned blocks', async () => {
    const r: RunResults = first.results;
    const { perBlock, layers } = await blockParameters();
    expect(r.model.layers).toBe(layers);
    expect(r.runs.map((x) => x.id)).toEqual(['similarity-n1', 'deepest-n1', 'similarity-n2', 'deepest-n2']);
    for (const run of r.runs) {
      const row = r.analysis.distances[run.n - 1];
      const argmin = row.indexOf(Math.min(...row));
      const start = run.method === 'similarity' ? argmin : layers - run.n - 1;
      expect(run.removed).toEqual([[start, start + run.n]]);
      expect(run.layersKept).toBe(layers - run.n);
      expect(run.parameters).toBe(r.model.parameters - run.n * perBlock);
      expect(run.bytes).toBeLessThan(r.model.bytes);
    }
  });

  it('measures real losses: pruning hurts, healing logs its steps', () => {
    const r = first.results;
    expect(r.baseline.loss).toBeGreaterThan(0.5);
    expect(r.baseline.loss).toBeLessThan(3);
    for (const run of r.runs) {
      expect(run.before.loss).toBeGreaterThan(r.baseline.loss);
      expect(Number.isFinite(run.after?.loss)).toBe(true);
      expect(run.healing?.curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
      // 4 steps of 2 sequences of 32 tokens: counted, not derived from a rounded time.
      expect(run.healing?.tokens).toBe(4 * 2 * 32);
      expect(run.before['mmlu.acc']).toBeGreaterThanOrEqual(0);
      expect(run.before['mmlu.acc']).toBeLessThanOrEqual(1);
    }
    // Both n = 2 plans drop the same blocks here only if the analysis says so; identical plans give identical scores.
    const [s2, d2] = [r.runs[2], r.runs[3]];
    if (JSON.stringify(s2.removed) === JSON.stringify(d2.removed)) expect(s2.before).toEqual(d2.before);
  });

  it('writes an analysis.json that surgery reads for --from-analysis', async () => {
    const analysis = await readAnalysisFile(join(dir, 'out', 'analysis.json'));
    const block = optimalBlockFromAnalysis(analysis, 2, 'analysis.json');
    const row = first.results.analysis.distances[1];
    const argmin = row.indexOf(Math.min(...row));
    expect([block.start, block.end]).toEqual([argmin, argmin + 2]);
  });

  it('writes the report files', async () => {
    for (const path of [first.report.html, first.report.markdown, first.report.results, ...first.report.figures]) {
      expect((await stat(path)).size).toBeGreaterThan(100);
    }
    const html = await readFile(first.report.html, 'utf8');
    expect(html.match(/<figure /g)?.length).toBe(first.report.figures.length);
  });

  it('with resume, reuses every recorded stage and reproduces the numbers', async () => {
    const again = await runPipeline(tinyPipelineConfig(evalTasks, join(dir, 'out')), { toolVersion: 'test', resume: true });
    expect(again.reusedStages).toContain('analyze');
    // similarity and deepest share a plan when they pick the same block: one heal per distinct plan.
    const plans = new Set(first.results.runs.map((r) => JSON.stringify(r.removed)));
    expect(again.reusedStages.filter((s) => s.startsWith('heal-'))).toHaveLength(plans.size);
    expect(again.results.runs).toEqual(first.results.runs);
    expect(again.results.baseline).toEqual(first.results.baseline);
  });

  it('heal.keepActivations reaches trainerFactories; no stage key holds it, so a resume with it reuses every stage', async () => {
    const watched = vi.mocked(trainerFactories);
    expect(watched.mock.calls[0][1]).toMatchObject({ keepActivations: 'auto' });
    const config = tinyPipelineConfig(evalTasks, join(dir, 'out'));
    const again = await runPipeline({ ...config, heal: { ...config.heal, keepActivations: true } }, { toolVersion: 'test', resume: true });
    expect(watched.mock.lastCall?.[0]).toBe(config.engine);
    expect(watched.mock.lastCall?.[1]).toMatchObject({ keepActivations: true, backend: config.backend, device: config.device });
    const stages = (await readdir(join(dir, 'out', 'stages'))).map((f) => f.replace(/\.json$/, '')).sort();
    expect([...again.reusedStages].sort()).toEqual(stages);
    expect(again.results.runs).toEqual(first.results.runs);
  });

  it('records the engine next to the backend; a resume on the other engine reuses every stage (no key holds the engine)', async () => {
    const { engine, backend } = first.results.environment;
    expect(['onnx', 'tfjs']).toContain(engine);
    const document = JSON.parse(await readFile(join(dir, 'out', 'analysis.json'), 'utf8')) as { model: Record<string, unknown> };
    expect(document.model).toMatchObject({ engine, backend });
    expect(await readFile(first.report.markdown, 'utf8')).toContain(`engine ${engine} on \`${backend}\``);
    // Healing trains on the engine the same options choose (auto: onnx when its package trains, else tfjs).
    for (const run of first.results.runs) {
      expect(['onnx', 'tfjs']).toContain(run.healing?.engine);
      expect(typeof run.healing?.backend).toBe('string');
    }
    const healed = first.results.runs[0].healing!;
    expect(await readFile(first.report.markdown, 'utf8')).toContain(`Healing trained on engine ${healed.engine} on \`${healed.backend}\``);
    const other = engine === 'onnx' ? 'tfjs' : 'onnx';
    const again = await runPipeline({ ...tinyPipelineConfig(evalTasks, join(dir, 'out')), engine: other }, { toolVersion: 'test', resume: true });
    const stages = (await readdir(join(dir, 'out', 'stages'))).map((f) => f.replace(/\.json$/, '')).sort();
    expect([...again.reusedStages].sort()).toEqual(stages);
    expect(again.results.runs).toEqual(first.results.runs);
  });

  it('refuses a non-empty output without resume or force, before any work', async () => {
    await expect(runPipeline(tinyPipelineConfig(evalTasks, join(dir, 'out')), { toolVersion: 'test' })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
    });
  });

  it('never resumes into, or replaces, a directory it did not write', async () => {
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    for (const flags of [{ resume: true }, { force: true }]) {
      await expect(runPipeline(tinyPipelineConfig(evalTasks, foreign), { toolVersion: 'test', ...flags })).rejects.toMatchObject({
        code: 'OUTPUT_NOT_OURS',
      });
      expect(await readdir(foreign)).toEqual(['notes.txt']);
    }
  });

  it('on resume, recomputes exactly the stages whose input files changed (contents, not paths)', async () => {
    const heldout = evalTasks[0].slice('loss:'.length);
    const text = await readFile(heldout, 'utf8');
    // Same path, same length, other bytes.
    await writeFile(heldout, text.replace('the', 'The'));
    const log: string[] = [];
    const again = await runPipeline(tinyPipelineConfig(evalTasks, join(dir, 'out')), { toolVersion: 'test', resume: true, log: (l) => log.push(l) });
    expect(again.reusedStages).toContain('analyze');
    expect(again.reusedStages.filter((s) => s.startsWith('prune-') || s.startsWith('heal-')).length).toBeGreaterThan(0);
    expect(again.reusedStages.filter((s) => s.startsWith('eval-'))).toEqual([]);
    expect(log.some((l) => /stage eval-baseline was recorded with other inputs/.test(l))).toBe(true);
    // The loss moved with the text: it was really recomputed.
    expect(again.results.baseline).not.toEqual(first.results.baseline);
  });

  it('on resume, evaluates a pruned model again when its weights changed (the key holds the evaluated model\'s contents)', async () => {
    const planId = (await readdir(join(dir, 'out', 'models')))[0];
    const weights = join(dir, 'out', 'models', planId, 'model.safetensors');
    const bytes = await readFile(weights);
    // The last float of the data buffer, doubled: a valid file with other weights.
    bytes.writeFloatLE(bytes.readFloatLE(bytes.length - 4) * 2 + 1, bytes.length - 4);
    await writeFile(weights, bytes);
    const log: string[] = [];
    const again = await runPipeline(tinyPipelineConfig(evalTasks, join(dir, 'out')), { toolVersion: 'test', resume: true, log: (l) => log.push(l) });
    expect(again.reusedStages).toContain(`prune-${planId}`);
    expect(again.reusedStages).not.toContain(`eval-${planId}`);
    expect(again.reusedStages).toContain('eval-baseline');
    expect(log.some((l) => l.includes(`stage eval-${planId} was recorded with other inputs`))).toBe(true);
  });
});
