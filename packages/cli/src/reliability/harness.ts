// The reliability suite's harness (issue 12): every case runs the built bin as a
// user would, on a private copy of the bundled model and data, and checks that
// the inputs' bytes are identical before and after (sha256 over the whole tree,
// symlink targets included) whatever the command did.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { cp, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile, defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import { expect } from 'vitest';
import { BIN_PATH } from '../testing/run-cli.js';

export interface BinRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  root: string;
  /** A copy of the bundled stories260K model directory. */
  model: string;
  /** Calibration / training text (first 20 kB of the bundled TinyStories calibration file). */
  data: string;
  /** Held-out text (first 2 kB). */
  heldout: string;
  /** A one-subject MMLU directory (astronomy dev + test). */
  mmlu: string;
  dispose: () => Promise<void>;
}

/** A temp directory with private copies of the bundled model and data. */
export async function makeWorkspace(prefix = 'layerprune-rel-'): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const model = join(root, 'model');
  await cp(defaultModelDir(), model, { recursive: true });
  const data = join(root, 'calibration.txt');
  await writeFile(data, (await readFile(defaultCalibrationFile(), 'utf8')).slice(0, 20_000));
  const heldout = join(root, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2_000));
  const mmlu = join(root, 'mmlu');
  for (const split of ['dev', 'test']) {
    await mkdir(join(mmlu, split), { recursive: true });
    await cp(join(defaultMmluDir(), split, `astronomy_${split}.csv`), join(mmlu, split, `astronomy_${split}.csv`));
  }
  return { root, model, data, heldout, mmlu, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** sha256 of a file or a whole tree: relative names, file bytes, symlink targets, kinds. */
export async function treeDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (p: string, rel: string): Promise<void> => {
    const info = await lstat(p).catch(() => null);
    if (info === null) {
      hash.update(`missing:${rel}\n`);
    } else if (info.isSymbolicLink()) {
      hash.update(`link:${rel}->${await readlink(p)}\n`);
    } else if (info.isDirectory()) {
      hash.update(`dir:${rel}\n`);
      for (const name of (await readdir(p)).sort()) await visit(join(p, name), `${rel}/${name}`);
    } else {
      hash.update(`file:${rel}:${info.size}:`);
      hash.update(await readFile(p));
      hash.update('\n');
    }
  };
  await visit(path, '.');
  return hash.digest('hex');
}

/** Runs `check` and asserts that every path in `inputs` has the same digest after it as before. */
export async function expectUntouched<T>(inputs: string[], check: () => Promise<T> | T): Promise<T> {
  const before = await Promise.all(inputs.map(treeDigest));
  const result = await check();
  const after = await Promise.all(inputs.map(treeDigest));
  for (let i = 0; i < inputs.length; i++) expect(after[i], `input ${inputs[i]} changed`).toBe(before[i]);
  return result;
}

export interface BinOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

/**
 * With LAYERPRUNE_RELIABILITY_LOG set, every run of the bin is recorded there
 * (test file, test, command): tools/reliability-table.mjs counts them for the README.
 */
function record(args: string[]): void {
  const log = process.env.LAYERPRUNE_RELIABILITY_LOG;
  if (!log) return;
  const state = expect.getState();
  appendFileSync(log, `${JSON.stringify({ file: state.testPath?.split('/').pop(), test: state.currentTestName, command: args[0] })}\n`);
}

/** `layerprune <args>` as a child process (the built bin), waited for. */
export function bin(args: string[], options: BinOptions = {}): BinRun {
  record(args);
  const result = spawnSync(process.execPath, [BIN_PATH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: result.status ?? -1, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `layerprune <args>`; `stop(signal)` sends a signal, `done` resolves when it exits. */
export function startBin(args: string[], options: BinOptions = {}) {
  record(args);
  const child = spawn(process.execPath, [BIN_PATH, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<BinRun>((resolveRun) => {
    child.on('close', (code, signal) => resolveRun({ code: code ?? -1, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderr: () => stderr,
    stop: (signal: NodeJS.Signals) => child.kill(signal),
    /** Resolves once stderr matches `pattern` (or rejects after `timeoutMs`). */
    waitForStderr: (pattern: RegExp, timeoutMs = 60_000) =>
      new Promise<void>((resolveWait, reject) => {
        const started = Date.now();
        const tick = (): void => {
          if (pattern.test(stderr)) resolveWait();
          else if (child.exitCode !== null) reject(new Error(`process exited before ${pattern}: ${stderr}`));
          else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${pattern}: ${stderr}`));
          else setTimeout(tick, 20);
        };
        tick();
      }),
  };
}

/** A failure as the guide wants it: non-zero exit, one line `error [CODE]: ...`, no stack. */
export function expectOneLineError(run: BinRun, code: RegExp | string): string {
  expect(run.code, `exit code; stderr: ${run.stderr}`).not.toBe(0);
  expect(run.signal).toBeNull();
  expect(run.stderr).not.toMatch(/\n\s+at /);
  const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('error ['));
  expect(lines, run.stderr).toHaveLength(1);
  const pattern = typeof code === 'string' ? new RegExp(`^error \\[${code}\\]: `) : code;
  expect(lines[0]).toMatch(pattern);
  return lines[0];
}

/** Names in `dir` that look like temporary or aside directories of a write in progress. */
export async function leftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => /layerprune-(tmp|old)|\.tmp-|\.old-|\.partial/.test(n));
}

/** A one-plan pipeline file over the workspace (deepest block, 20%), healing as given; returns its path. */
export async function writeTinyPipeline(ws: Workspace, heal: { steps: number; saveEvery: number }): Promise<string> {
  const path = join(ws.root, `pipeline-${heal.steps}-${heal.saveEvery}.yaml`);
  await writeFile(
    path,
    [
      `model: ${ws.model}`,
      `data: ${ws.data}`,
      `eval: ["loss:${ws.heldout}"]`,
      'fractions: [0.2]',
      'methods: [deepest]',
      'analysis: { samples: 8, seqLen: 32 }',
      `heal: { steps: ${heal.steps}, batch: 2, microBatch: 1, seqLen: 32, saveEvery: ${heal.saveEvery}, warmup: 2 }`,
      '',
    ].join('\n'),
  );
  return path;
}

/**
 * Environment for a bin run in which every FileHandle write first waits `ms`, so a
 * test can act while it writes: a preload module (a data: URL in NODE_OPTIONS);
 * nothing in layerprune itself reads it.
 */
export function slowWrites(ms: number): Record<string, string> {
  const source = `const { open } = await import('node:fs/promises');
const probe = await open(process.execPath, 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
const write = proto.write;
proto.write = async function (...args) {
  await new Promise((resolve) => setTimeout(resolve, ${ms}));
  return write.apply(this, args);
};`;
  const preload = `--import=data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
}
