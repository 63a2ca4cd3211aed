// One writer per output: `.<name>.layerprune-lock` beside the output holds the
// writer's pid and host. A second process gets OUTPUT_LOCKED naming the holder;
// a lock whose process is gone (killed, crashed) is stale and taken over. The
// lock is removed when released, on SIGINT/SIGTERM and at process exit.
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from './interrupt-cleanup.js';
import { OutputError } from './output-error.js';
import { isProcessAlive } from './process-alive.js';
import { tempSiblingName } from './temp-names.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface OutputLock {
  path: string;
  release: () => Promise<void>;
}

export function lockPathFor(parent: string, name: string): string {
  return join(parent, `.${name}.layerprune-lock`);
}

async function readLock(path: string): Promise<LockInfo | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    return Number.isInteger(value.pid) ? value : null;
  } catch {
    return null;
  }
}

function ownsLock(path: string, info: LockInfo): boolean {
  try {
    const current = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return current.pid === info.pid && current.startedAt === info.startedAt;
  } catch {
    return false;
  }
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OutputError('OUTPUT_WRITE_FAILED', `cannot create lock ${path}: ${(error as Error).message}`, { file: path, cause: error });
  }
}

/** Takes the lock of output `name` in `parent` (created if missing) for `command`. */
export async function lockOutput(parent: string, name: string, command: string): Promise<OutputLock> {
  await mkdir(parent, { recursive: true });
  const path = lockPathFor(parent, name);
  const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, info)) {
      const forget = onInterrupt(() => {
        if (ownsLock(path, info)) unlinkSync(path);
      });
      return {
        path,
        release: async () => {
          forget();
          if (ownsLock(path, info)) await unlink(path).catch(() => undefined);
        },
      };
    }
    const holder = await readLock(path);
    const stale = holder === null ? false : holder.host === info.host && !isProcessAlive(holder.pid);
    if (holder !== null && !stale) {
      const where = holder.host === info.host ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
      throw new OutputError(
        'OUTPUT_LOCKED',
        `${join(parent, name)} is being written by another layerprune ${holder.command} (${where}, since ${holder.startedAt}); wait for it to finish or choose another --out (lock: ${path})`,
        { file: path },
      );
    }
    if (holder === null && attempt === 0) {
      // Unreadable: possibly being written this instant; look again before calling it stale.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    // Stale: move it out of the way atomically (only one taker wins the rename), then retry.
    const aside = join(parent, tempSiblingName(`${name}.lock`, 'old'));
    await rename(path, aside).then(
      () => unlink(aside),
      () => undefined,
    );
  }
  throw new OutputError('OUTPUT_LOCKED', `could not take the lock ${path}; another process keeps recreating it`, { file: path });
}
