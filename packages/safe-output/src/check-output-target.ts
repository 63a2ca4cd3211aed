// Decides, before anything is written, whether an output location is safe:
// never one of the inputs, inside one, or a directory that contains one (a
// replace would delete it); never `/`, the home directory, the working
// directory or an ancestor of those; and an existing non-empty directory only
// when it was written by layerprune (its manifest) and replacing was asked for.
// Paths are compared as real paths (symlinks and `..` resolved) and as device +
// inode, so bind mounts and hard-linked names cannot sneak around the checks.
import { readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, sep } from 'node:path';
import { OutputError } from './output-error.js';
import { readOutputManifest, type OutputManifest } from './output-manifest.js';
import { realPathLenient } from './real-path-lenient.js';

export interface OutputTarget {
  /** Real path of the output. */
  dir: string;
  /** Real path of its parent (where temporary siblings live). */
  parent: string;
  name: string;
  /** absent / empty: free to create; nonempty: holds files (see `manifest`). */
  state: 'absent' | 'empty' | 'nonempty';
  /** The layerprune manifest of an existing output, or null. */
  manifest: OutputManifest | null;
}

export interface CheckOutputOptions {
  /** Input files and directories the command reads (missing ones are skipped). */
  inputs: string[];
  /** Option name shown in messages (default `--out`). */
  option?: string;
}

function isInside(child: string, parent: string): boolean {
  const prefix = parent.endsWith(sep) ? parent : parent + sep;
  return child.startsWith(prefix);
}

async function statOrNull(path: string): Promise<Stats | null> {
  return stat(path).catch(() => null);
}

function sameNode(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The existing path itself and its ancestors up to `/`, with their stats. */
async function chain(path: string): Promise<Array<{ path: string; info: Stats }>> {
  const out: Array<{ path: string; info: Stats }> = [];
  for (let p = path; ; p = dirname(p)) {
    const info = await statOrNull(p);
    if (info !== null) out.push({ path: p, info });
    if (dirname(p) === p) return out;
  }
}

async function protectedPaths(): Promise<Array<{ path: string; why: string }>> {
  const list: Array<{ path: string; why: string }> = [];
  for (const [path, why] of [
    [process.cwd(), 'the current directory'],
    [homedir(), 'the home directory'],
  ] as const) {
    const real = await realPathLenient(path);
    for (const a of await chain(real)) list.push({ path: a.path, why: a.path === real ? why : `an ancestor of ${why} ${real}` });
  }
  return list;
}

/** Checks `out` against the inputs and the protected paths; performs no writes. */
export async function checkOutputTarget(out: string, options: CheckOutputOptions): Promise<OutputTarget> {
  const option = options.option ?? '--out';
  const dir = await realPathLenient(out);
  const outChain = await chain(dir);
  const outInfo = outChain[0]?.path === dir ? outChain[0].info : null;

  for (const p of await protectedPaths()) {
    if (p.path === dir) {
      throw new OutputError('OUTPUT_PROTECTED', `${option} ${dir} is ${p.why}; write outputs to a new directory`, { file: dir, field: option });
    }
  }

  for (const input of options.inputs) {
    const inputReal = await realPathLenient(input);
    const inputInfo = await statOrNull(inputReal);
    if (inputInfo === null) continue;
    const same = inputReal === dir || (outInfo !== null && sameNode(outInfo, inputInfo));
    if (same) {
      throw new OutputError('OUTPUT_IS_INPUT', `${option} ${dir} is the input ${inputReal}; the input is never written to: choose another ${option}`, {
        file: dir,
        field: option,
      });
    }
    if (isInside(dir, inputReal) || outChain.some((a) => a.path !== dir && sameNode(a.info, inputInfo))) {
      throw new OutputError('OUTPUT_INSIDE_INPUT', `${option} ${dir} is inside the input ${inputReal}; the input is never written to`, {
        file: dir,
        field: option,
      });
    }
    const inputAncestors = await chain(inputReal);
    if (isInside(inputReal, dir) || (outInfo !== null && inputAncestors.some((a) => sameNode(a.info, outInfo)))) {
      throw new OutputError('INPUT_INSIDE_OUTPUT', `${option} ${dir} contains the input ${inputReal}; writing there could delete the input`, {
        file: dir,
        field: option,
      });
    }
  }

  let state: OutputTarget['state'] = 'absent';
  let manifest: OutputManifest | null = null;
  if (outInfo !== null) {
    if (!outInfo.isDirectory()) {
      throw new OutputError('OUTPUT_NOT_DIRECTORY', `${option} ${dir} exists and is not a directory`, { file: dir, field: option });
    }
    const entries = await readdir(dir);
    state = entries.length === 0 ? 'empty' : 'nonempty';
    if (state === 'nonempty') manifest = await readOutputManifest(dir);
  }
  return { dir, parent: dirname(dir), name: basename(dir), state, manifest };
}

/**
 * For commands that build a new output: an existing non-empty `--out` is an
 * error, and with `force` it may be replaced only if layerprune wrote it.
 */
export function requireReplaceable(target: OutputTarget, force: boolean, option = '--out'): void {
  if (target.state !== 'nonempty') return;
  if (!force) {
    throw new OutputError('OUTPUT_EXISTS', `${option} ${target.dir} exists and is not empty; choose another ${option}, or pass --force to replace a previous layerprune output`, {
      file: target.dir,
      field: option,
    });
  }
  if (target.manifest === null) {
    throw new OutputError(
      'OUTPUT_NOT_OURS',
      `${option} ${target.dir} is not empty and was not written by layerprune (no .layerprune-output.json): --force only replaces layerprune's own outputs; remove it yourself or choose another ${option}`,
      { file: target.dir, field: option },
    );
  }
}
