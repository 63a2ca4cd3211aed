// A Hugging Face hub cache on disk, as huggingface_hub lays it out, built from a
// model directory for the tests: each file's bytes become blobs/<sha256>, the
// snapshot snapshots/<commit>/ holds relative symlinks ../../blobs/<sha256>, and
// refs/<branch> holds the commit hash.
//
// The bundled stories260K model is found by its path in the repository: this
// package may not import @layerprune/assets (same layer).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
/** The bundled stories260K model directory (packages/assets/models/stories260K). */
export const BUNDLED_MODEL_DIR = join(repoRoot, 'packages', 'assets', 'models', 'stories260K');

export interface FakeHubRepo {
  /** models--<org>--<name> */
  repoDir: string;
  commit: string;
  snapshot: string;
}

/** A fake 40-hex commit hash derived from `seed`. */
export function fakeCommit(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/**
 * Writes `models--<org>--<name>` under `cache` with the files of `modelDir` as
 * blobs and one snapshot `commit`, linked from refs/<ref> for each of `refs`.
 */
export async function writeFakeHubRepo(
  cache: string,
  repoId: string,
  modelDir: string,
  options: { commit?: string; refs?: string[] } = {},
): Promise<FakeHubRepo> {
  const [org, name] = repoId.split('/');
  const repoDir = join(cache, `models--${org}--${name}`);
  const commit = options.commit ?? fakeCommit(`${repoId}:${modelDir}`);
  const snapshot = join(repoDir, 'snapshots', commit);
  await mkdir(join(repoDir, 'blobs'), { recursive: true });
  await mkdir(snapshot, { recursive: true });
  for (const file of (await readdir(modelDir)).sort()) {
    const bytes = await readFile(join(modelDir, file));
    const sha = createHash('sha256').update(bytes).digest('hex');
    await writeFile(join(repoDir, 'blobs', sha), bytes);
    await symlink(join('..', '..', 'blobs', sha), join(snapshot, file));
  }
  for (const ref of options.refs ?? ['main']) {
    await mkdir(join(repoDir, 'refs', ref, '..'), { recursive: true });
    await writeFile(join(repoDir, 'refs', ref), commit);
  }
  return { repoDir, commit, snapshot };
}
