// Parquet files on disk: recognised by the magic bytes "PAR1" (at both ends), and
// read by hyparquet through an AsyncBuffer: byte ranges on demand
// (the footer first, then the column chunks of the row groups it is asked for).
// This one reads positioned slices of a handle that openRegularFile opened, so
// the file is checked once (regular file, never a FIFO) and read only where
// hyparquet asks, never loaded whole.
import type { FileHandle } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';
import { DataError } from './data-error.js';
import { openRegularFile } from './open-regular-file.js';

/** The Parquet magic number, at the start and at the end of every Parquet file. */
export const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');

/** Reads bytes [start, end) of the open file; the caller closes the handle. */
export function fileHandleBuffer(handle: FileHandle, file: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      if (!(start >= 0 && end >= start && end <= size)) {
        throw new DataError('MALFORMED_PARQUET', `${file}: Parquet metadata points at bytes ${start}-${end}, outside the file of ${size} bytes`, {
          file,
          limit: size,
        });
      }
      const out = new Uint8Array(end - start);
      let done = 0;
      try {
        while (done < out.length) {
          const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } catch (error) {
        throw new DataError('READ_FAILED', `${file}: cannot read bytes ${start}-${end}: ${(error as Error).message}`, { file, cause: error });
      }
      if (done < out.length) {
        throw new DataError('READ_FAILED', `${file}: the file shrank while being read (bytes ${start}-${end} of ${size})`, { file, limit: size });
      }
      return out.buffer;
    },
  };
}

/** True when the 4 bytes of `head` are the Parquet magic "PAR1". */
export function isParquetMagic(head: Uint8Array): boolean {
  return head.length >= 4 && PARQUET_MAGIC.equals(head.subarray(0, 4));
}

/** True when `file` is a regular file that starts with the Parquet magic bytes "PAR1". */
export async function isParquetFile(file: string): Promise<boolean> {
  const { handle } = await openRegularFile(file);
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && isParquetMagic(head);
  } catch (error) {
    throw new DataError('READ_FAILED', `${file}: cannot read: ${(error as Error).message}`, { file, cause: error });
  } finally {
    await handle.close();
  }
}
