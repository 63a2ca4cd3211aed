// Streams the lines of a text file, gunzipping on the fly when the file starts with
// the gzip magic bytes (1f 8b) whatever its name. Memory stays at one line.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DataError } from './data-error.js';

export interface Line {
  text: string;
  /** 1-based. */
  number: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await openOrThrow(file);
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

async function openOrThrow(file: string): ReturnType<typeof open> {
  try {
    return await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('FILE_NOT_FOUND', `${file}: no such file`, { file, cause: error });
    throw new DataError('READ_FAILED', `${file}: cannot open (${code ?? (error as Error).message})`, { file, cause: error });
  }
}

/** Lines of `file` (plain or gzip), without line terminators; a UTF-8 BOM is dropped. */
export async function* readLines(file: string): AsyncGenerator<Line> {
  const gzip = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let input: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (error) => gunzip.destroy(error));
    input = raw.pipe(gunzip);
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      yield { text: number === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, number };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (gzip && code.startsWith('Z_')) {
      throw new DataError('DECOMPRESS_FAILED', `${file}: gzip data is corrupt or truncated after line ${number} (${code})`, {
        file,
        line: number,
        cause: error,
      });
    }
    if (code === 'EISDIR') throw new DataError('READ_FAILED', `${file}: is a directory, not a data file`, { file, cause: error });
    throw new DataError('READ_FAILED', `${file}: read failed after line ${number}: ${(error as Error).message}`, {
      file,
      line: number,
      cause: error,
    });
  } finally {
    lines.close();
    input.destroy();
    raw.destroy();
  }
}
