// The one way a command produces a new output directory: check the target
// against the inputs, take the output's lock, build everything in a temporary
// sibling, mark it with the manifest, fsync it, and rename it into place. The
// output therefore either does not exist or is complete, an interrupted write
// leaves nothing behind, and a replaced output (--force, ours only) is swapped
// out only after the new one is complete.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputTarget, requireReplaceable, type OutputTarget } from './check-output-target.js';
import { cleanStaleTemps } from './clean-stale-temps.js';
import { fsyncPath, fsyncTree } from './fsync-tree.js';
import { onInterrupt, removeOnInterrupt } from './interrupt-cleanup.js';
import { lockOutput } from './lock-output.js';
import { OutputError } from './output-error.js';
import { newManifest, readOutputManifest, writeOutputManifest } from './output-manifest.js';
import { tempSiblingName } from './temp-names.js';

export interface WriteOutputOptions {
  /** Files and directories the command reads; the output may not be, contain or be inside any of them. */
  inputs: string[];
  /** Replace an existing non-empty output, only if layerprune wrote it. */
  force?: boolean;
  /** Recorded in the output's manifest ('prune', 'quantize', ...). */
  command: string;
  details?: Record<string, unknown>;
  /** Option name used in messages (default `--out`). */
  option?: string;
}

export interface WrittenOutput<T> {
  dir: string;
  /** True when a previous output was replaced. */
  replaced: boolean;
  /** Leftovers of dead writers of this output that were removed first. */
  removedTemps: string[];
  result: T;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

async function swapIntoPlace(temp: string, target: OutputTarget, option: string): Promise<boolean> {
  if (target.state !== 'nonempty') {
    try {
      // rename(2) replaces an empty directory and fails on a non-empty one, so a
      // directory someone filled meanwhile is never clobbered.
      await rename(temp, target.dir);
      return false;
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw new OutputError('OUTPUT_EXISTS', `${option} ${target.dir} appeared while the output was being written; nothing was replaced`, {
          file: target.dir,
          cause: error,
        });
      }
      throw error;
    }
  }
  // Re-read the marker: what we are about to replace must still be ours.
  if ((await readOutputManifest(target.dir)) === null) {
    throw new OutputError('OUTPUT_NOT_OURS', `${option} ${target.dir} changed while the output was being written and is no longer a layerprune output; nothing was replaced`, {
      file: target.dir,
    });
  }
  const aside = join(target.parent, tempSiblingName(target.name, 'old'));
  await rename(target.dir, aside);
  // Killed between the two renames: put the old output back.
  const forget = onInterrupt(() => {
    if (!existsSync(target.dir)) renameSync(aside, target.dir);
    else rmSync(aside, { recursive: true, force: true });
  });
  try {
    await rename(temp, target.dir);
  } catch (error) {
    await rename(aside, target.dir).catch(() => undefined);
    forget();
    throw error;
  }
  forget();
  await rm(aside, { recursive: true, force: true });
  return true;
}

/** Builds a new output directory `out` with `fill(tempDir)`, safely (see the file comment). */
export async function writeOutputDirectory<T>(
  out: string,
  options: WriteOutputOptions,
  fill: (tempDir: string, target: OutputTarget) => Promise<T>,
): Promise<WrittenOutput<T>> {
  const option = options.option ?? '--out';
  const target = await checkOutputTarget(out, { inputs: options.inputs, option });
  requireReplaceable(target, options.force ?? false, option);
  await mkdir(target.parent, { recursive: true });
  const lock = await lockOutput(target.parent, target.name, options.command);
  try {
    const removedTemps = await cleanStaleTemps(target.parent, target.name);
    const temp = join(target.parent, tempSiblingName(target.name));
    await mkdir(temp);
    const forget = removeOnInterrupt(temp);
    try {
      const result = await fill(temp, target);
      await writeOutputManifest(temp, newManifest(options.command, options.details));
      await fsyncTree(temp);
      const replaced = await swapIntoPlace(temp, target, option);
      await fsyncPath(target.parent);
      return { dir: target.dir, replaced, removedTemps, result };
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    } finally {
      forget();
    }
  } finally {
    await lock.release();
  }
}
