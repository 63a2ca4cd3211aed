// `layerprune run` through the built bin, as a user runs it: bad models fail fast
// with one line, and a run killed with SIGKILL during healing resumes to the same
// numbers as an uninterrupted run.
import { spawn } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHeldoutFile, defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_PATH, runBin } from '../testing/run-cli.js';

let dir: string;
let configPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layerprune-run-cli-'));
  const heldout = join(dir, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2000));
  const mmlu = join(dir, 'mmlu');
  for (const split of ['dev', 'test']) {
    await mkdir(join(mmlu, split), { recursive: true });
    await copyFile(join(defaultMmluDir(), split, `astronomy_${split}.csv`), join(mmlu, split, `astronomy_${split}.csv`));
  }
  configPath = join(dir, 'pipeline.yaml');
  await writeFile(
    configPath,
    [
      'fractions: [0.2]',
      'methods: [deepest]',
      `eval: ["loss:${heldout}", "mmlu:${mmlu}"]`,
      'analysis: { samples: 16, seqLen: 48 }',
      'evaluation: { limit: 2, shots: 1 }',
      'heal: { steps: 24, batch: 2, microBatch: 1, seqLen: 32, saveEvery: 2, warmup: 2 }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectOneLineError(run: { code: number; stderr: string }, code: RegExp): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('layerprune run: bad input fails fast with one line', () => {
  it('a missing model directory', () => {
    const run = runBin(['run', '--model', join(dir, 'nope'), '--out', join(dir, 'o1'), '--quiet']);
    expectOneLineError(run, /^error \[(CONFIG_NOT_FOUND|FILE_NOT_FOUND)\]: .*nope/);
  });

  it('an unsupported architecture', async () => {
    const model = join(dir, 'gpt2');
    await cp(defaultModelDir(), model, { recursive: true });
    const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8'));
    await writeFile(join(model, 'config.json'), JSON.stringify({ ...config, model_type: 'gpt2' }));
    const run = runBin(['run', '--model', model, '--out', join(dir, 'o2'), '--quiet']);
    expectOneLineError(run, /^error \[UNSUPPORTED_ARCHITECTURE\]: .*gpt2/);
  });

  it('a corrupt (truncated) weights file', async () => {
    const model = join(dir, 'truncated');
    await cp(defaultModelDir(), model, { recursive: true });
    await truncate(join(model, 'model.safetensors'), 50_000);
    const run = runBin(['run', '--model', model, '--out', join(dir, 'o3'), '--quiet']);
    expectOneLineError(run, /^error \[[A-Z_]+\]: .*model\.safetensors/);
  });
});

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function numbers(results: { baseline: Record<string, number>; runs: { before: Record<string, number>; after: Record<string, number> | null; healing: { finalLoss: number } | null }[] }): number[] {
  return [
    ...Object.values(results.baseline),
    ...results.runs.flatMap((r) => [...Object.values(r.before), ...Object.values(r.after ?? {}), r.healing?.finalLoss ?? NaN]),
  ];
}

describe('layerprune run --resume after SIGKILL during healing', () => {
  it('continues from the last checkpoint and reports the same numbers', async () => {
    const straight = join(dir, 'straight');
    const full = runBin(['run', '--config', configPath, '--out', straight, '--quiet', '--json'], { timeoutMs: 240_000 });
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);

    const killed = join(dir, 'killed');
    const child = spawn(process.execPath, [BIN_PATH, 'run', '--config', configPath, '--out', killed, '--quiet'], { stdio: 'ignore' });
    const checkpoint = join(killed, 'healed', 'drop-3-4', 'checkpoint');
    const deadline = Date.now() + 180_000;
    while (!(await exists(checkpoint)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await exists(checkpoint)).toBe(true);
    expect(await exists(join(killed, 'results.json'))).toBe(false);

    const resumed = runBin(['run', '--config', configPath, '--out', killed, '--resume', '--quiet', '--json'], { timeoutMs: 240_000 });
    expect(resumed.code).toBe(0);
    const a = JSON.parse(await readFile(join(straight, 'results.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(killed, 'results.json'), 'utf8'));
    expect(JSON.parse(resumed.stdout).reusedStages).toContain('analyze');
    const [x, y] = [numbers(a), numbers(b)];
    expect(y).toHaveLength(x.length);
    x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(1e-6));
  });
});
