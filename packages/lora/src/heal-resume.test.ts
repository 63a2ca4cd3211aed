// SIGKILL mid-run, then --resume: the final adapter equals an uninterrupted run's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import { describe, expect, it } from 'vitest';
import { heal, type HealOptions } from './heal.js';
import { checkpointStep, maxAdapterDifference, readAdapter } from './testing/heal-outputs.js';

const CHILD = fileURLToPath(new URL('./testing/heal-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function options(out: string): HealOptions {
  return {
    model: defaultModelDir(),
    data: defaultCalibrationFile(),
    out,
    steps: 14,
    batchSize: 4,
    microBatchSize: 2,
    seqLen: 32,
    learningRate: 2e-3,
    warmupSteps: 2,
    rank: 4,
    alpha: 8,
    dropout: 0.1,
    targets: 'all-linear',
    bits: 4,
    saveEvery: 2,
    seed: 5,
    backend: 'wasm',
  };
}

describe('heal: kill -9 and resume', () => {
  it.skipIf(!existsSync(BUILT))('a SIGKILLed run resumed with --resume ends with the same adapter as an uninterrupted run (1e-6)', async () => {
    const straight = await mkdtemp(join(tmpdir(), 'lora-straight-'));
    await heal(options(straight));

    const killed = await mkdtemp(join(tmpdir(), 'lora-killed-'));
    const child = spawn(process.execPath, [CHILD, JSON.stringify(options(killed))], { stdio: 'ignore' });
    const exit = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    let step = 0;
    while (step < 6) {
      await new Promise((r) => setTimeout(r, 20));
      step = await checkpointStep(killed);
    }
    child.kill('SIGKILL');
    const status = await exit;
    expect(status.signal).toBe('SIGKILL'); // it really died mid-run
    const atKill = await checkpointStep(killed);
    expect(atKill).toBeLessThan(14);

    const resumed = await heal({ ...options(killed), resume: 'auto' });
    expect(resumed.resumedFromStep).toBeGreaterThanOrEqual(6);
    const a = await readAdapter(straight);
    const b = await readAdapter(killed);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(maxAdapterDifference(a, b)).toBeLessThanOrEqual(1e-6);
    const moved = [...a.values()].some((v) => v.some((x) => x !== 0));
    expect(moved).toBe(true);
  });
});
