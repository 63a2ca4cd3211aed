// A killed writer leaves `.<name>.layerprune-tmp-<pid>-<hex>` beside its output
// (or `-old-` if it died while swapping a replaced output out). The next writer
// removes those whose process is gone; a live process's are left alone since it
// may still be writing. A dead swap whose output is missing gets its old output
// back rather than losing it.
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './process-alive.js';
import { parseTempName } from './temp-names.js';

/** Cleans leftovers of dead writers in `dir` (only those for `name` when given); returns the removed paths. */
export async function cleanStaleTemps(dir: string, name?: string): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of entries) {
    const parsed = parseTempName(entry);
    if (parsed === null || (name !== undefined && parsed.name !== name)) continue;
    // Ours: the code that made it cleans it up; a live process's: still being written.
    if (parsed.pid === process.pid || isProcessAlive(parsed.pid)) continue;
    const path = join(dir, entry);
    if (parsed.kind === 'old') {
      const original = join(dir, parsed.name);
      const missing = await stat(original).then(
        () => false,
        () => true,
      );
      if (missing) {
        await rename(path, original);
        continue;
      }
    }
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
