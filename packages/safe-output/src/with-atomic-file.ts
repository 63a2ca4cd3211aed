// One file, complete or not at all: bytes go to a temporary sibling (same
// filesystem, so the rename is atomic), are flushed (fsync), renamed over the
// destination, and the directory is flushed after the rename, so neither a
// crash nor a power loss can leave the destination name on partial bytes. On
// any failure, SIGINT or SIGTERM the temporary file is removed and the
// destination is left as it was.
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncPath } from './fsync-tree.js';
import { removeOnInterrupt } from './interrupt-cleanup.js';
import { tempSiblingName } from './temp-names.js';

/** Runs `fill` on a fresh temporary sibling of `path`, then moves it to `path`. Errors are Node's, unchanged. */
export async function withAtomicFile<T>(path: string, fill: (handle: FileHandle, tempPath: string) => Promise<T>): Promise<T> {
  const tempPath = join(dirname(path), tempSiblingName(basename(path)));
  const handle = await open(tempPath, 'wx', 0o644);
  const forget = removeOnInterrupt(tempPath);
  try {
    let result: T;
    try {
      result = await fill(handle, tempPath);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
    await fsyncPath(dirname(path));
    return result;
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  } finally {
    forget();
  }
}

/** Writes `data` (UTF-8 for strings) to `path` atomically and durably. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await withAtomicFile(path, (handle) => handle.writeFile(data));
}
