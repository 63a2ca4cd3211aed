// Opens a data file for reading only if it is a regular file. A FIFO would block
// the open (and then every read) until some other process writes to it, and a
// device such as /dev/urandom or /dev/zero never ends; neither is a corpus. The
// type is checked with stat BEFORE the open, so a FIFO is never opened at all, and
// again on the open handle (opened non-blocking) in case the path was swapped in
// between.
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DataError } from './data-error.js';

export interface RegularFile {
  handle: FileHandle;
  /** Size in bytes at open time. */
  size: number;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(file: string, info: Stats): DataError {
  return new DataError('NOT_A_REGULAR_FILE', `${file}: is ${kindOf(info)}; data must be a regular file`, { file });
}

function openFailed(file: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new DataError('FILE_NOT_FOUND', `${file}: no such file`, { file, cause: error });
  return new DataError('READ_FAILED', `${file}: cannot open (${code ?? (error as Error).message})`, { file, cause: error });
}

/** A read-only handle on `file`; the caller closes it. Throws FILE_NOT_FOUND, NOT_A_REGULAR_FILE or READ_FAILED. */
export async function openRegularFile(file: string): Promise<RegularFile> {
  let before: Stats;
  try {
    before = await stat(file);
  } catch (error) {
    throw openFailed(file, error);
  }
  if (!before.isFile()) throw notRegular(file, before);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: if a FIFO replaced the file since the stat, the open returns at once
    // instead of waiting for a writer (no effect on regular files; 0 on Windows).
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw openFailed(file, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(file, info);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    if (error instanceof DataError) throw error;
    throw new DataError('READ_FAILED', `${file}: cannot stat (${(error as Error).message})`, { file, cause: error });
  }
}
