// Outputs appear complete or not at all: bytes go to a temporary name in the
// destination directory (same filesystem, so rename is atomic) and are renamed
// over the destination only after the last write succeeded. On any failure the
// temporary file is removed and the destination is left untouched.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsError } from './fs-error.js';
import { writeAll } from './positioned-io.js';

/** `.layerprune-tmp-*` is git-ignored at the repository root. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.layerprune-tmp-${basename(path)}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Runs `fill` on a fresh temporary file, then renames it to `path`. */
export async function withAtomicFile<T>(path: string, fill: (handle: FileHandle, tempPath: string) => Promise<T>): Promise<T> {
  const tempPath = temporaryPathFor(path);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, 'wx', 0o644);
  } catch (cause) {
    throw fsError(cause, path, 'write');
  }
  let result: T;
  try {
    result = await fill(handle, tempPath);
    await handle.close();
  } catch (cause) {
    await handle.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw fsError(cause, path, 'write');
  }
  try {
    await rename(tempPath, path);
  } catch (cause) {
    await unlink(tempPath).catch(() => undefined);
    throw fsError(cause, path, 'write');
  }
  return result;
}

/** Writes `data` (UTF-8 for strings) to `path` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  await withAtomicFile(path, (handle) => writeAll(handle, bytes, 0));
}
