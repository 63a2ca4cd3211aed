// The bytes of an open regular file, chunk by chunk, gunzipped on the fly when
// asked. Decompression stops with DECOMPRESSED_TOO_LARGE once the output passes
// its limit: a few kilobytes of gzip can expand to terabytes, and a reader that
// trusts it spends hours (or all the memory of whatever consumes it) on one file.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError } from './data-error.js';
import { DEFAULT_MAX_COMPRESSION_RATIO, formatBytes } from './read-limits.js';

const CHUNK_BYTES = 1 << 20;

async function* plainChunks(handle: FileHandle): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

export interface ChunkSource {
  handle: FileHandle;
  file: string;
  /** Size of the file on disk, for the message. */
  size: number;
  gzip: boolean;
  /** Decompressed bytes allowed (gzip only). */
  maxDecompressedBytes: number;
  /** True when the limit is the default ratio rule rather than a value the caller set. */
  ratioRule: boolean;
}

/** Chunks of the file's (decompressed) content. The caller closes the handle. */
export async function* readFileChunks(source: ChunkSource): AsyncGenerator<Buffer> {
  if (!source.gzip) {
    yield* plainChunks(source.handle);
    return;
  }
  const { file, size, maxDecompressedBytes: limit } = source;
  const input = Readable.from(plainChunks(source.handle), { objectMode: false });
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        const rule = source.ratioRule ? ` (${DEFAULT_MAX_COMPRESSION_RATIO}x its compressed size of ${formatBytes(size)})` : '';
        throw new DataError(
          'DECOMPRESSED_TOO_LARGE',
          `${file}: gzip data expands to more than ${formatBytes(limit)}${rule}, the limit maxDecompressedBytes; ` +
            'refusing a likely gzip bomb (raise maxDecompressedBytes if the file is genuine)',
          { file, limit },
        );
      }
      yield chunk;
    }
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
