// NO_COLOR and non-terminal output through the built bin (issue 16): progress on
// a pipe is plain lines, and on a terminal with NO_COLOR set it is a bar drawn
// with carriage returns only; neither holds an escape character. The terminal
// cases run the bin under util-linux `script`, which gives it a real pty (skipped
// where `script` is missing).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_PATH } from './testing/run-cli.js';

const ESC = '\x1b';
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-terminal-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `prune` of the bundled model (a progress bar over its tensors) into a fresh directory. */
function pruneArgs(name: string): string[] {
  return ['prune', '--drop', '2:3', '--out', join(root, name)];
}

/** Runs the bin in a pty; returns everything it wrote (stdout and stderr share the terminal). */
function inTerminal(args: string[], env: Record<string, string | undefined>): { code: number; text: string } {
  const command = [process.execPath, BIN_PATH, ...args].map(quote).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, TERM: 'xterm', COLUMNS: '120', ...env },
    timeout: 120_000,
  });
  return { code: run.status ?? -1, text: run.stdout };
}

describe('progress and output without colour or escapes', () => {
  it('not a terminal: plain lines on stderr, no escape character anywhere', () => {
    const run = spawnSync(process.execPath, [BIN_PATH, ...pruneArgs('piped')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined }, timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^prune: 38\/38 tensors \(\d+\.\ds\)/m);
    expect(run.stderr + run.stdout).not.toContain(ESC);
    expect(run.stderr).not.toContain('\r');
  });

  it.skipIf(!hasScript)('a terminal: the cli-progress bar (the pty is a terminal)', () => {
    const run = inTerminal(pruneArgs('tty'), {});
    expect(run.code, run.text).toBe(0);
    expect(run.text).toContain(ESC);
  });

  it.skipIf(!hasScript)('a terminal with NO_COLOR=1: a bar redrawn with \\r, no escape character anywhere', () => {
    const run = inTerminal(pruneArgs('no-color'), { NO_COLOR: '1' });
    expect(run.code, run.text).toBe(0);
    expect(run.text).not.toContain(ESC);
    expect(run.text).toMatch(/\rprune \[#{40}\] 38\/38 \(\d+\.\ds\)/);
    expect(run.text).toContain('layers 5 -> 4');
  });
});
