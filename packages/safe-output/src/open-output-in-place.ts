// Outputs that grow over time and are continued later (a run's directory, a
// healing run's checkpoints) cannot be built in a temporary directory: they are
// written in place, under the output's lock, and marked as ours from the start,
// so `--resume` can recognise them and `--force` may replace them.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputTarget, requireReplaceable, type OutputTarget } from './check-output-target.js';
import { cleanStaleTemps } from './clean-stale-temps.js';
import { fsyncPath } from './fsync-tree.js';
import { lockOutput, type OutputLock } from './lock-output.js';
import { OutputError } from './output-error.js';
import { newManifest, writeOutputManifest, type OutputManifest } from './output-manifest.js';
import { tempSiblingName } from './temp-names.js';

export interface OpenInPlaceOptions {
  inputs: string[];
  command: string;
  /** Continue an output this command wrote before (its manifest must say so). */
  resume?: boolean;
  /** Replace a non-empty output that layerprune wrote. */
  force?: boolean;
  /** Accept an existing output of these commands on resume (default: `command` only). */
  resumable?: string[];
  details?: Record<string, unknown>;
  option?: string;
}

export interface InPlaceOutput {
  dir: string;
  target: OutputTarget;
  /** The manifest of the output being continued, or null for a new one. */
  previous: OutputManifest | null;
  lock: OutputLock;
  /**
   * Removes what this call created (the directory, or the contents of the empty
   * directory it was given) when the work failed before producing anything worth
   * resuming. A no-op for an output being continued (`previous` set).
   */
  discard: () => Promise<void>;
}

/** Checks, locks and (when new) creates and marks an in-place output directory. Release `lock` when done. */
export async function openOutputInPlace(out: string, options: OpenInPlaceOptions): Promise<InPlaceOutput> {
  const option = options.option ?? '--out';
  const target = await checkOutputTarget(out, { inputs: options.inputs, option });
  const resumable = options.resumable ?? [options.command];
  if (options.resume && target.state === 'nonempty') {
    if (target.manifest === null || !resumable.includes(target.manifest.command)) {
      const what = target.manifest === null ? 'is not a layerprune output (no .layerprune-output.json)' : `holds a layerprune ${target.manifest.command} output`;
      throw new OutputError('OUTPUT_NOT_OURS', `cannot resume: ${option} ${target.dir} ${what}, not a ${options.command}; nothing in it was changed`, {
        file: target.dir,
        field: option,
      });
    }
  } else if (target.state === 'nonempty' && !options.force && target.manifest !== null && resumable.includes(target.manifest.command)) {
    throw new OutputError(
      'OUTPUT_EXISTS',
      `${option} ${target.dir} already holds a layerprune ${target.manifest.command} output; pass --resume to continue it, --force to replace it, or choose another ${option}`,
      { file: target.dir, field: option },
    );
  } else {
    requireReplaceable(target, options.force ?? false, option);
  }
  await mkdir(target.parent, { recursive: true });
  const lock = await lockOutput(target.parent, target.name, options.command);
  try {
    await cleanStaleTemps(target.parent, target.name);
    let previous: OutputManifest | null = null;
    if (target.state === 'nonempty' && options.resume) {
      previous = target.manifest;
    } else if (target.state === 'nonempty') {
      // --force on our own output: move it aside in one rename, then delete it.
      const aside = join(target.parent, tempSiblingName(target.name, 'old'));
      await rename(target.dir, aside);
      await rm(aside, { recursive: true, force: true });
    }
    if (previous === null) {
      await mkdir(target.dir, { recursive: true });
      await writeOutputManifest(target.dir, newManifest(options.command, options.details));
      await fsyncPath(target.dir);
    }
    const discard = async (): Promise<void> => {
      if (previous !== null) return;
      if (target.state === 'empty') {
        for (const name of await readdir(target.dir)) await rm(join(target.dir, name), { recursive: true, force: true });
      } else {
        await rm(target.dir, { recursive: true, force: true });
      }
    };
    return { dir: target.dir, target, previous, lock, discard };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
