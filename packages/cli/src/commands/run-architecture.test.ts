// `layerprune run` and the model's architecture, through the built bin:
// - a Llama 3.x rope model (rope_scaling llama3) runs the whole pipeline, healing included;
// - a model no engine computes (rope_scaling yarn) fails in preflight, before any work,
//   with one line naming the stage and the field, and leaves no output directory.
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../testing/run-cli.js';

let dir: string;
let heldout: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerprune-run-arch-'));
  heldout = join(dir, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2000));
  data = join(dir, 'train.txt');
  await writeFile(data, (await readFile(defaultCalibrationFile(), 'utf8')).slice(0, 20000));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The bundled tiny Llama (stories260K, with its tokenizer) with config.json fields replaced. */
async function tinyModelWith(name: string, fields: Record<string, unknown>): Promise<string> {
  const model = join(dir, name);
  await cp(defaultModelDir(), model, { recursive: true });
  const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(model, 'config.json'), JSON.stringify({ ...config, ...fields }, null, 2));
  return model;
}

async function pipelineFile(model: string, name: string, extra: string[] = []): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    [
      `model: ${model}`,
      `data: ${data}`,
      `eval: ["loss:${heldout}"]`,
      'fractions: [0.2]',
      'methods: [deepest]',
      'analysis: { samples: 8, seqLen: 32 }',
      'heal: { steps: 3, batch: 2, microBatch: 1, seqLen: 32, saveEvery: 100, warmup: 1 }',
      ...extra,
      '',
    ].join('\n'),
  );
  return path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

describe('layerprune run and the architecture', () => {
  it('a Llama 3.x rope model (rope_scaling llama3) completes, healing included', async () => {
    // A small original context, so the llama3 scaling changes the frequencies at the positions used.
    const model = await tinyModelWith('llama3-rope', {
      rope_theta: 500000,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    });
    const out = join(dir, 'out-llama3');
    const run = runBin(['run', '--config', await pipelineFile(model, 'llama3'), '--out', out, '--engine', 'tfjs', '--json', '--quiet'], { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { runs: { healing: { steps: number; finalLoss: number } | null }[] };
    const healed = results.runs.filter((r) => r.healing !== null);
    expect(healed.length).toBeGreaterThan(0);
    for (const r of healed) {
      expect(r.healing!.steps).toBe(3);
      expect(Number.isFinite(r.healing!.finalLoss)).toBe(true);
    }
  }, 300_000);

  it('a model no engine computes fails in preflight, in under 5 s, with one line and no output', async () => {
    const model = await tinyModelWith('yarn', { rope_scaling: { rope_type: 'yarn', factor: 4.0 } });
    const out = join(dir, 'out-yarn');
    const started = performance.now();
    const run = runBin(['run', '--config', await pipelineFile(model, 'yarn', ['engine: onnx']), '--out', out, '--quiet']);
    const seconds = (performance.now() - started) / 1000;
    console.log(`layerprune run on a model with rope_scaling yarn, engine onnx: failed after ${seconds.toFixed(2)} s (process wall time)`);
    expect(run.code).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error \[UNSUPPORTED_CONFIG\]: analysis: .*config\.json: rope_scaling type "yarn" is not supported \(supported: default, linear, llama3\)$/);
    expect(await exists(out)).toBe(false);
    expect(seconds).toBeLessThan(5);
  });
});
