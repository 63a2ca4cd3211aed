// The kill -9 and resume check, for every trainer: a heal SIGKILLed mid-run in a
// child process and resumed with resume 'auto' must end with the adapter of an
// uninterrupted heal. The run is fixed here (14 steps, a checkpoint every 2)
// because the numbers asserted (killed before step 14, resumed from step 6 or
// later) depend on it.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile } from '@layerprune/assets';
import { expect } from 'vitest';
import type { HealOptions, HealResult } from '../heal.js';
import { checkpointStep, maxAdapterDifference, readAdapter } from './heal-outputs.js';

const STEPS = 14;
/** Killed once the checkpoint of this step is on disk: the resumed run starts from it or later. */
const KILL_AFTER = 6;

export interface KillAndResume {
  /** The model directory healed. */
  model: string;
  /** Further options for both runs (JSON: the child gets them on its command line). */
  extra?: Partial<HealOptions>;
  /** Runs heal() in this process on the trainer under test: the straight run, then the resumed one. */
  heal: (options: HealOptions) => Promise<HealResult>;
  /** A script running the same heal() from the built packages on the JSON HealOptions in argv[2]. */
  child: string;
  /** Prefix of the temporary output directories. */
  prefix: string;
}

export async function expectKillAndResume(run: KillAndResume): Promise<void> {
  const options = (out: string): HealOptions => ({
    model: run.model,
    data: defaultCalibrationFile(),
    out,
    steps: STEPS,
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
    ...run.extra,
  });
  const straight = await mkdtemp(join(tmpdir(), `${run.prefix}-straight-`));
  await run.heal(options(straight));

  const killed = await mkdtemp(join(tmpdir(), `${run.prefix}-killed-`));
  const child = spawn(process.execPath, [run.child, JSON.stringify(options(killed))], { stdio: 'ignore' });
  const exit = new Promise<{ signal: string | null }>((res) => child.on('exit', (_code, signal) => res({ signal })));
  let step = 0;
  while (step < KILL_AFTER) {
    await new Promise((r) => setTimeout(r, 10));
    step = await checkpointStep(killed);
  }
  child.kill('SIGKILL');
  expect((await exit).signal).toBe('SIGKILL'); // it really died mid-run
  expect(await checkpointStep(killed)).toBeLessThan(STEPS);

  const resumed = await run.heal({ ...options(killed), resume: 'auto' });
  expect(resumed.resumedFromStep).toBeGreaterThanOrEqual(KILL_AFTER);
  const a = await readAdapter(straight);
  const b = await readAdapter(killed);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  expect(maxAdapterDifference(a, b)).toBeLessThanOrEqual(1e-6);
  // Zero adapters would match trivially: the straight run must have trained.
  expect([...a.values()].some((v) => v.some((x) => x !== 0))).toBe(true);
}
