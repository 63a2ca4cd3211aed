import { describe, expect, it } from 'vitest';
import { runBin, runCli } from './testing/run-cli.js';

describe('layerprune (shell)', () => {
  it('prints help listing the program name, exit 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('layerprune <command> [options]');
  });

  it('rejects an unknown option with one line and exit code 2', async () => {
    const run = await runCli(['--no-such-option']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error \[USAGE\]: /);
  });

  it('the built bin runs and exits non-zero without a command, no stack trace', () => {
    const run = runBin([]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
