// The Hugging Face repo id of a snapshot directory of the local cache
// (`.../models--org--name/snapshots/<commit>`), so reports and model cards can
// name a model by `org/name` rather than by its commit hash. Names with "--"
// inside org or name are ambiguous in the cache layout; the first "--" after
// "models" splits them, as huggingface_hub does for the common case.
import { basename, dirname } from 'node:path';

const SNAPSHOT = /^[0-9a-f]{40}$/;

/** `org/name` for a cache snapshot directory, else null. */
export function hubRepoIdOf(dir: string): string | null {
  const clean = dir.replace(/[\\/]+$/, '');
  const commit = basename(clean);
  const snapshots = dirname(clean);
  if (!SNAPSHOT.test(commit) || basename(snapshots) !== 'snapshots') return null;
  const repo = basename(dirname(snapshots));
  const match = /^models--([^/\\]+?)--(.+)$/.exec(repo);
  return match ? `${match[1]}/${match[2]}` : null;
}

/** How a model directory is named to people: its repo id when it is a cache snapshot, else its folder name. */
export function modelDisplayName(dir: string): string {
  return hubRepoIdOf(dir) ?? (basename(dir.replace(/[\\/]+$/, '')) || dir);
}
