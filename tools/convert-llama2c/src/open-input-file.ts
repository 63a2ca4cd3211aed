import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ConvertError } from './convert-error.js';

/**
 * Opens an input file read-only and returns its size, turning ENOENT/EISDIR and
 * friends into ConvertError so the CLI prints one line naming the path.
 */
export async function openInputFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConvertError('FILE_NOT_FOUND', `${path}: no such file`, { file: path, cause });
    throw new ConvertError('READ_FAILED', `${path}: cannot open (${code ?? (cause as Error).message})`, { file: path, cause });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ConvertError('READ_FAILED', `${path}: not a regular file`, { file: path });
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    if (error instanceof ConvertError) throw error;
    throw new ConvertError('READ_FAILED', `${path}: cannot stat (${(error as Error).message})`, { file: path, cause: error });
  }
}

/** Reads a whole (small) input file, e.g. a tokenizer, with the same typed errors and a size limit. */
export async function readSmallInputFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const { handle, size } = await openInputFile(path);
  try {
    if (size > maxBytes) {
      throw new ConvertError('TOKENIZER_INVALID', `${path}: ${size} bytes, more than the ${maxBytes}-byte limit for a tokenizer file`, { file: path, limit: maxBytes });
    }
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== size) throw new ConvertError('READ_FAILED', `${path}: read ${done} of ${size} bytes`, { file: path });
    return bytes;
  } finally {
    await handle.close();
  }
}
