// Where a file of a model directory really is. A symlink inside the directory
// is fine, and so is the Hugging Face cache layout: a model directory that is
// (or lies inside) models--<org>--<name>/snapshots/<rev>/ may link into that same
// repo's models--<org>--<name>/blobs/, and nowhere else (not another repo's
// blobs, not its refs). A link anywhere else is refused: a model directory
// whose tokenizer.json points at ~/.ssh/id_rsa would otherwise have that file
// read and copied into every pruned, quantized or merged model written from it.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TensorIoError } from './errors.js';
import { fsError } from './fs-error.js';
import { resolveInsideDir } from './resolve-inside-dir.js';

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The blobs directory of the Hugging Face cache repo whose snapshot holds
 * `realDir` (the snapshot itself or a folder inside it), or null when `realDir`
 * is not inside a `models--*` repo's snapshots/<rev>/.
 */
export function hubBlobsDirOf(realDir: string): string | null {
  for (let dir = realDir; dirname(dir) !== dir; dir = dirname(dir)) {
    const snapshots = dirname(dir);
    const repo = dirname(snapshots);
    if (basename(snapshots) === 'snapshots' && basename(repo).startsWith('models--')) return join(repo, 'blobs');
  }
  return null;
}

/**
 * The real path of `path`, a file of the model directory `dir` (absolute, or
 * relative to `dir`): PATH_TRAVERSAL if its name leaves `dir`,
 * SYMLINK_OUTSIDE_MODEL_DIR if it is a link whose target (after resolving every
 * link) lies outside `dir` and outside the blobs of the Hugging Face cache repo
 * whose snapshot `dir` is (see hubBlobsDirOf).
 * Copy from the returned path: the copy is then a regular file with the content.
 */
export async function resolveModelFile(dir: string, path: string): Promise<string> {
  const root = resolve(dir);
  const lexical = resolveInsideDir(root, relative(root, resolve(root, path)), path);
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
  } catch (cause) {
    throw fsError(cause, root, 'read');
  }
  try {
    real = await realpath(lexical);
  } catch (cause) {
    throw fsError(cause, lexical, 'read');
  }
  if (isInside(realRoot, real)) return real;
  // huggingface_hub: <cache>/models--org--name/snapshots/<revision>/<file> -> ../../blobs/<sha>.
  const blobs = hubBlobsDirOf(realRoot);
  if (blobs !== null && isInside(blobs, real)) return real;
  throw new TensorIoError(
    'SYMLINK_OUTSIDE_MODEL_DIR',
    `${lexical}: a symbolic link to ${real}, which is outside the model directory ${realRoot}; replace the link by a copy of the file`,
    { file: lexical, field: 'symlink', expected: realRoot, found: real },
  );
}
