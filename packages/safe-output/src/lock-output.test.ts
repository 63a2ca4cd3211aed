import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockOutput, lockPathFor } from './lock-output.js';
import { deadPid } from './testing/dead-pid.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-output-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('lockOutput', () => {
  it('lets one writer in and tells the second who holds the lock', async () => {
    const lock = await lockOutput(root, 'out', 'run');
    const holder = JSON.parse(await readFile(lock.path, 'utf8'));
    expect(holder.pid).toBe(process.pid);
    const second = await lockOutput(root, 'out', 'heal').catch((e) => e);
    expect(second.code).toBe('OUTPUT_LOCKED');
    expect(second.message).toContain(`pid ${process.pid}`);
    expect(second.message).toContain('layerprune run');
    await lock.release();
    expect(await readdir(root)).toEqual([]);
    const again = await lockOutput(root, 'out', 'heal');
    await again.release();
  });

  it('takes over the lock of a process that no longer exists', async () => {
    const pid = deadPid();
    await writeFile(lockPathFor(root, 'out'), JSON.stringify({ pid, host: hostname(), command: 'run', startedAt: 'then' }));
    const lock = await lockOutput(root, 'out', 'run');
    expect(JSON.parse(await readFile(lock.path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(root)).toEqual([]);
  });

  it('does not take over a live process lock from another host', async () => {
    await writeFile(lockPathFor(root, 'out'), JSON.stringify({ pid: 1, host: 'elsewhere', command: 'run', startedAt: 'then' }));
    const error = await lockOutput(root, 'out', 'run').catch((e) => e);
    expect(error.code).toBe('OUTPUT_LOCKED');
    expect(error.message).toContain('on elsewhere');
  });
});
