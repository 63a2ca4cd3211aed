// Decides, before anything is written, where the pruned model goes and whether
// that is safe: never the input, never inside it, never a parent of it (a
// --force replace would delete the input), and never a non-empty directory
// unless forced. Works on real paths so symlinks and `..` cannot sneak around it.
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { SurgeryError } from './errors.js';

export interface OutputTarget {
  /** Real path the model will end up at. */
  outDir: string;
  /** Real path of its parent (where the temporary sibling lives). */
  parent: string;
  name: string;
  /** absent: created by rename; empty: replaced by rename; replace: non-empty, moved aside then deleted (force). */
  state: 'absent' | 'empty' | 'replace';
  /** `.<name>.layerprune-tmp-<pid>` next to outDir. */
  tempDir: string;
}

/** realpath of the deepest existing ancestor, with the missing tail appended. */
async function realpathLenient(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realpathLenient(parent), basename(path));
  }
}

function isInside(child: string, parent: string): boolean {
  const prefix = parent.endsWith(sep) ? parent : parent + sep;
  return child.startsWith(prefix);
}

export function tempDirName(name: string, pid: number = process.pid): string {
  return `.${name}.layerprune-tmp-${pid}`;
}

/** Check the output location against the input; performs no writes. */
export async function checkOutputTarget(inputDir: string, outDir: string, options: { force?: boolean } = {}): Promise<OutputTarget> {
  const input = await realpath(resolve(inputDir));
  const out = await realpathLenient(resolve(outDir));
  if (out === input) {
    throw new SurgeryError('OUTPUT_IS_INPUT', `output ${outDir} is the input model directory ${input}; choose another --out`, {
      file: out,
    });
  }
  if (isInside(out, input)) {
    throw new SurgeryError('OUTPUT_INSIDE_INPUT', `output ${out} is inside the input model directory ${input}; the input is never written to`, {
      file: out,
    });
  }
  if (isInside(input, out)) {
    throw new SurgeryError('INPUT_INSIDE_OUTPUT', `output ${out} contains the input model directory ${input}; writing there could delete the input`, {
      file: out,
    });
  }
  let state: OutputTarget['state'] = 'absent';
  const info = await stat(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (info !== null) {
    if (!info.isDirectory()) {
      throw new SurgeryError('OUTPUT_NOT_DIRECTORY', `output ${out} exists and is not a directory`, { file: out });
    }
    const entries = await readdir(out);
    if (entries.length === 0) state = 'empty';
    else if (options.force) state = 'replace';
    else {
      throw new SurgeryError(
        'OUTPUT_EXISTS',
        `output ${out} exists and is not empty (${entries.length} entries); pass force (--force) to replace it`,
        { file: out },
      );
    }
  }
  const parent = dirname(out);
  const name = basename(out);
  return { outDir: out, parent, name, state, tempDir: join(parent, tempDirName(name)) };
}
