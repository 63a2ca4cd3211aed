// What a `--model` value names: a local directory, or a Hugging Face repo id
// (`org/name` or `org/name@revision`) found in the local Hugging Face cache, the
// one huggingface_hub and transformers fill:
//
//   <cache>/models--<org>--<name>/refs/<revision>        a file holding a commit hash
//   <cache>/models--<org>--<name>/snapshots/<commit>/    the files, usually symlinks
//   <cache>/models--<org>--<name>/blobs/<sha>            into ../../blobs/
//
// <cache> is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub,
// else ~/.cache/huggingface/hub (huggingface_hub's own order). Nothing is ever
// downloaded: a repo missing from the cache is MODEL_NOT_IN_CACHE naming the
// path that was expected.
//
// Path or id: an existing path always wins; otherwise a value shaped like
// `org/name[@revision]` is a repo id; anything else is a path (and whoever opens
// it reports it missing).
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { TensorIoError } from './errors.js';

export const REPO_ID_PATTERN = /^[\w.-]+\/[\w.-]+(@[\w./-]+)?$/;
const COMMIT_HASH = /^[0-9a-f]{40}$/;

export interface ResolveModelSourceOptions {
  /** Environment to read HF_HUB_CACHE, HF_HOME and XDG_CACHE_HOME from. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory for `~` and the default cache. Default os.homedir(). */
  home?: string;
  /** Directory relative paths are taken from. Default process.cwd(). */
  cwd?: string;
}

export type ModelSource =
  | { kind: 'path'; spec: string; dir: string }
  | {
      kind: 'hub';
      spec: string;
      /** The snapshot directory: what to open. */
      dir: string;
      repoId: string;
      /** As asked: a branch or tag ("main" by default), or a commit hash. */
      revision: string;
      commit: string;
      /** The cache root, and the variable it came from ("default" when none is set). */
      cache: string;
      cacheFrom: 'HF_HUB_CACHE' | 'HF_HOME' | 'XDG_CACHE_HOME' | 'default';
    };

/** The Hugging Face hub cache directory for `env`, and which variable chose it. */
export function hubCacheDir(options: ResolveModelSourceOptions = {}): { cache: string; from: Extract<ModelSource, { kind: 'hub' }>['cacheFrom'] } {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const expand = (p: string): string => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p);
  if (env.HF_HUB_CACHE) return { cache: expand(env.HF_HUB_CACHE), from: 'HF_HUB_CACHE' };
  if (env.HF_HOME) return { cache: join(expand(env.HF_HOME), 'hub'), from: 'HF_HOME' };
  if (env.XDG_CACHE_HOME) return { cache: join(expand(env.XDG_CACHE_HOME), 'huggingface', 'hub'), from: 'XDG_CACHE_HOME' };
  return { cache: join(home, '.cache', 'huggingface', 'hub'), from: 'default' };
}

/** `{ repoId, revision }` when `spec` is shaped like a repo id (whether or not it exists), else null. */
export function parseRepoId(spec: string): { repoId: string; org: string; name: string; revision: string } | null {
  if (!REPO_ID_PATTERN.test(spec)) return null;
  const at = spec.indexOf('@');
  const repoId = at === -1 ? spec : spec.slice(0, at);
  const [org, name] = repoId.split('/');
  if (org === '.' || org === '..' || name === '.' || name === '..') return null;
  return { repoId, org, name, revision: at === -1 ? 'main' : spec.slice(at + 1) };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT' && error.code !== 'ENOTDIR',
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

async function listed(dir: string): Promise<string[]> {
  return readdir(dir).then(
    (names) => names.sort(),
    () => [],
  );
}

/**
 * Resolves a `--model` value. Throws TensorIoError MODEL_NOT_IN_CACHE (the repo,
 * its revision or its snapshot is not in the cache; the message names the paths
 * looked for and says that nothing is downloaded), HF_CACHE_INVALID (a refs file
 * that does not hold a commit hash) or INVALID_ARGUMENT (a revision with `..`).
 */
export async function resolveModelSource(spec: string, options: ResolveModelSourceOptions = {}): Promise<ModelSource> {
  const id = parseRepoId(spec);
  if (id === null || (await exists(resolve(options.cwd ?? process.cwd(), spec)))) return { kind: 'path', spec, dir: spec };
  const { repoId, org, name, revision } = id;
  if (revision.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new TensorIoError('INVALID_ARGUMENT', `${spec}: revision "${revision}" is not a branch, tag or commit name`, { field: 'revision', found: revision });
  }
  const { cache, from } = hubCacheDir(options);
  const repoDir = join(cache, `models--${org}--${name}`);
  const where = from === 'default' ? 'the default cache' : `the cache of ${from}`;
  const download = `layerprune never downloads: run \`huggingface-cli download ${repoId}${revision === 'main' ? '' : ` --revision ${revision}`}\` on a machine with network access and copy its cache here (or give the model directory)`;
  const missing = (path: string, what: string, found?: string): TensorIoError =>
    new TensorIoError('MODEL_NOT_IN_CACHE', `${spec}: no such local directory, and ${what}: expected ${path} (${where}, ${cache}); ${download}`, {
      file: path,
      field: 'model',
      expected: path,
      found,
    });
  if (!(await isDirectory(repoDir))) throw missing(repoDir, `the Hugging Face repo ${repoId} is not in ${where}`);
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    const ref = join(repoDir, 'refs', revision);
    let text: string;
    try {
      text = await readFile(ref, 'utf8');
    } catch {
      const refs = (await listed(join(repoDir, 'refs'))).join(', ') || 'none';
      throw missing(ref, `revision "${revision}" of ${repoId} is not in the cache (refs present: ${refs})`, refs);
    }
    commit = text.trim();
    if (!COMMIT_HASH.test(commit)) {
      throw new TensorIoError('HF_CACHE_INVALID', `${ref}: expected a 40-character commit hash for ${repoId}@${revision}, found ${JSON.stringify(commit.slice(0, 60))}`, {
        file: ref,
        field: 'refs',
        found: commit.slice(0, 60),
      });
    }
  }
  const dir = join(repoDir, 'snapshots', commit);
  if (!(await isDirectory(dir))) {
    const snapshots = (await listed(join(repoDir, 'snapshots'))).join(', ') || 'none';
    throw missing(dir, `snapshot ${commit} of ${repoId} is not in the cache (snapshots present: ${snapshots})`, snapshots);
  }
  return { kind: 'hub', spec, dir, repoId, revision, commit, cache, cacheFrom: from };
}
