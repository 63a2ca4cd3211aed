// Streams the lines of a text file, gunzipping on the fly when the file starts with
// the gzip magic bytes (1f 8b) whatever its name. This is the one bounded reader
// every package reads data through: regular files only, a line limit, a
// decompressed-size limit and strict UTF-8 (see read-limits.ts). Memory stays at
// one line plus one chunk.
import { DataError } from './data-error.js';
import type { FileLine } from './line.js';
import { openRegularFile } from './open-regular-file.js';
import { readFileChunks } from './read-file-chunks.js';
import { decompressedLimit, resolveReadLimits, type ReadLimitOptions } from './read-limits.js';
import { LineSplitter } from './split-lines.js';

export type { Line } from './line.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when `file` is a regular file that starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  const { handle } = await openRegularFile(file);
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (error) {
    throw new DataError('READ_FAILED', `${file}: cannot read: ${(error as Error).message}`, { file, cause: error });
  } finally {
    await handle.close();
  }
}

/**
 * Lines of `file` (plain or gzip), without line terminators; a UTF-8 BOM is dropped.
 * Throws a DataError: FILE_NOT_FOUND, NOT_A_REGULAR_FILE, READ_FAILED,
 * DECOMPRESS_FAILED, DECOMPRESSED_TOO_LARGE, DOCUMENT_TOO_LARGE (a line over
 * maxDocumentBytes) or INVALID_UTF8 (unless encodingErrors is "replace").
 */
export async function* readLines(file: string, options: ReadLimitOptions = {}): AsyncGenerator<FileLine> {
  const limits = resolveReadLimits(options);
  const { handle, size } = await openRegularFile(file);
  let number = 0;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    const gzip = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    const chunks = readFileChunks({
      handle,
      file,
      size,
      gzip,
      maxDecompressedBytes: decompressedLimit(limits, size),
      ratioRule: limits.maxDecompressedBytes === null,
    });
    const splitter = new LineSplitter(file, limits);
    // One async step per chunk; the lines of a chunk are handed out synchronously.
    for await (const chunk of chunks) {
      for (const line of splitter.push(chunk)) {
        number = line.number;
        yield line;
      }
    }
    yield* splitter.end();
  } catch (error) {
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new DataError('DECOMPRESS_FAILED', `${file}: gzip data is corrupt or truncated after line ${number} (${code})`, {
        file,
        line: number,
        cause: error,
      });
    }
    throw new DataError('READ_FAILED', `${file}: read failed after line ${number}: ${(error as Error).message}`, {
      file,
      line: number,
      cause: error,
    });
  } finally {
    await handle.close();
  }
}
