// Issue 12, point 3: one writer per output. A second run/heal/prune on an --out
// that a live process is writing gets OUTPUT_LOCKED naming that process; a lock
// left by a killed process is stale and taken over.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, makeWorkspace, slowWrites, startBin, writeTinyPipeline, type Workspace } from './harness.js';

let ws: Workspace;
let config: string;

beforeAll(async () => {
  ws = await makeWorkspace();
  config = await writeTinyPipeline(ws, { steps: 400, saveEvery: 2 });
});
afterAll(() => ws.dispose());

describe('one writer per output', () => {
  it('a second run, heal or prune on a live run\u2019s --out is refused; after a SIGKILL the stale lock is taken over', async () => {
    const out = join(ws.root, 'run');
    const first = startBin(['run', '--config', config, '--out', out]);
    await first.waitForStderr(/heal-drop/, 120_000);
    const pid = first.child.pid;
    await expectUntouched([ws.model, ws.data], () => {
      const line = expectOneLineError(bin(['run', '--config', config, '--out', out, '--resume']), 'OUTPUT_LOCKED');
      expect(line).toContain(`pid ${pid}`);
      expectOneLineError(bin(['run', '--config', config, '--out', out, '--force']), 'OUTPUT_LOCKED');
      // heal into the run's directory: refused as well (it is not a heal output, and it is locked).
      expectOneLineError(bin(['heal', '--model', ws.model, '--data', ws.data, '--out', out, '--resume', '--steps', '1']), /^error \[(OUTPUT_LOCKED|OUTPUT_NOT_OURS|RESUME_WITHOUT_CHECKPOINT)\]/);
    });
    // The first writer was not disturbed.
    expect(first.child.exitCode).toBeNull();
    first.stop('SIGKILL');
    await first.done;
    expect(existsSync(join(ws.root, '.run.layerprune-lock'))).toBe(true);
    // The dead process's lock does not block the resume.
    const resumed = startBin(['run', '--config', config, '--out', out, '--resume']);
    await resumed.waitForStderr(/heal-drop/, 120_000);
    resumed.stop('SIGINT');
    const interrupted = await resumed.done;
    expect(interrupted.signal).toBe('SIGINT');
    // SIGINT releases the lock and leaves no temporary files behind.
    expect((await readdir(ws.root)).filter((n) => n.startsWith('.run.') && n.includes('layerprune-'))).toEqual([]);
  });

  it('a second prune on the same --out is refused while the first writes', async () => {
    const out = join(ws.root, 'pruned');
    const first = startBin(['prune', '--model', ws.model, '--drop', '1:2', '--out', out], { env: slowWrites(100) });
    // The first prune holds the lock once its temporary directory exists.
    await first.waitForStderr(/./, 30_000).catch(() => undefined);
    const started = Date.now();
    while (!existsSync(join(ws.root, '.pruned.layerprune-lock')) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
    const line = expectOneLineError(bin(['prune', '--model', ws.model, '--drop', '2:3', '--out', out, '--force']), 'OUTPUT_LOCKED');
    expect(line).toContain(`pid ${first.child.pid}`);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect((await readdir(ws.root)).filter((n) => n.startsWith('.pruned.'))).toEqual([]);
  });
});
