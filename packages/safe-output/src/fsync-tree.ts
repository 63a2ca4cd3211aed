// rename(2) is atomic, but without fsync a power loss after it can leave the new
// name pointing at empty or partial files. Everything under a finished output is
// flushed before it is renamed into place, and its parent directory after.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** fsync one file or directory. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync every file and directory under `dir` (children before their directory). */
export async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else if (entry.isFile()) await fsyncPath(path);
  }
  await fsyncPath(dir);
}
