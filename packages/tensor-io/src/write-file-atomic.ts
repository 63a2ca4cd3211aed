// Outputs appear complete or not at all (see @layerprune/safe-output's
// withAtomicFile: temporary sibling, fsync, rename, cleanup on failure and on
// SIGINT/SIGTERM); this package only turns Node's errors into TensorIoErrors
// naming the file, and writes with positioned writes that survive >2 GiB.
import type { FileHandle } from 'node:fs/promises';
import { withAtomicFile as withAtomicFileRaw } from '@layerprune/safe-output';
import { fsError } from './fs-error.js';
import { writeAll } from './positioned-io.js';

/** Runs `fill` on a fresh temporary file, then renames it to `path`. */
export async function withAtomicFile<T>(path: string, fill: (handle: FileHandle, tempPath: string) => Promise<T>): Promise<T> {
  try {
    return await withAtomicFileRaw(path, fill);
  } catch (cause) {
    throw fsError(cause, path, 'write');
  }
}

/** Writes `data` (UTF-8 for strings) to `path` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  await withAtomicFile(path, (handle) => writeAll(handle, bytes, 0));
}
