// The last step of a prune: the finished temporary directory takes the output's
// name with one rename, so the output either does not exist or is complete.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputTarget } from './check-output-target.js';

/** Move target.tempDir to target.outDir (replacing an empty dir, or a non-empty one under force). */
export async function commitOutputDir(target: OutputTarget): Promise<void> {
  if (target.state !== 'replace') {
    // rename(2) replaces an empty directory atomically and fails on a non-empty one,
    // so a directory filled by someone else meanwhile is never clobbered.
    await rename(target.tempDir, target.outDir);
    return;
  }
  const aside = join(target.parent, `.${target.name}.layerprune-old-${process.pid}`);
  await rename(target.outDir, aside);
  try {
    await rename(target.tempDir, target.outDir);
  } catch (error) {
    await rename(aside, target.outDir).catch(() => undefined);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
