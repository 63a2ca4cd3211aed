// A killed prune leaves `.<name>.layerprune-tmp-<pid>` (or, if it died during
// the final swap, `.<name>.layerprune-old-<pid>`) next to the output. A rerun
// removes those whose process is gone; a live process's directory is left alone
// because it may still be writing.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remove stale temporary directories for output `name` in `parent`; returns the removed paths. */
export async function cleanStaleTempDirs(parent: string, name: string): Promise<string[]> {
  const pattern = new RegExp(`^\\.${escapeRegExp(name)}\\.layerprune-(?:tmp|old)-(\\d+)$`);
  const entries = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    const match = pattern.exec(entry);
    if (!match) continue;
    const pid = Number(match[1]);
    // Our own pid: a previous call in this process failed before cleaning up.
    if (pid !== process.pid && isProcessAlive(pid)) continue;
    const path = join(parent, entry);
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
