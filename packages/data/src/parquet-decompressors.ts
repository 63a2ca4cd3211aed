// The page decompressors of the Parquet reader, with the same bound as gzip: a
// page header states its decompressed size, and that size is checked against
// what is left of the file's budget (maxDecompressedBytes, by default 100x the
// file size and at least 64 MiB) BEFORE any memory is allocated for it. A file
// that declares terabytes of pages therefore stops with DECOMPRESSED_TOO_LARGE
// instead of allocating them.
//
// Codecs: SNAPPY is decoded by hyparquet itself (pure JS); ZSTD, GZIP, BROTLI,
// LZ4 and LZ4_RAW by hyparquet-compressors (pure JS, fzstd for zstd). Hugging
// Face datasets are written with snappy or zstd. Every decompressor writes into
// an output of exactly the declared size. Both packages are imported on first
// use, so reading text or JSON Lines never loads them.
import type { CompressionCodec, Compressors } from 'hyparquet';
import { DataError } from './data-error.js';
import { DEFAULT_MAX_COMPRESSION_RATIO, formatBytes } from './read-limits.js';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

async function codecs(): Promise<Partial<Record<CompressionCodec, Decompress>>> {
  const [{ snappyUncompress }, more] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  return {
    SNAPPY: (input, length) => {
      const out = new Uint8Array(length);
      snappyUncompress(input, out);
      return out;
    },
    ZSTD: (input, length) => more.decompressZstd(input, new Uint8Array(length)),
    GZIP: more.decompressGzip,
    BROTLI: more.decompressBrotli,
    LZ4: more.decompressLz4,
    LZ4_RAW: more.decompressLz4Raw,
  };
}

export interface DecompressBudget {
  file: string;
  /** Size of the file on disk, for the message. */
  size: number;
  /** Decompressed bytes allowed in total. */
  limit: number;
  /** True when the limit is the default ratio rule rather than a value the caller set. */
  ratioRule: boolean;
}

/** Decompressors that count their output against `budget`. */
export async function boundedDecompressors(budget: DecompressBudget): Promise<{ compressors: Compressors }> {
  let total = 0;
  const { file, size, limit } = budget;
  const compressors: Compressors = {};
  for (const [codec, decompress] of Object.entries(await codecs()) as [CompressionCodec, Decompress][]) {
    compressors[codec] = (input, length) => {
      total += length;
      if (total > limit) {
        const rule = budget.ratioRule ? ` (${DEFAULT_MAX_COMPRESSION_RATIO}x its size of ${formatBytes(size)})` : '';
        throw new DataError(
          'DECOMPRESSED_TOO_LARGE',
          `${file}: Parquet pages expand to more than ${formatBytes(limit)}${rule}, the limit maxDecompressedBytes; ` +
            'refusing a likely decompression bomb (raise maxDecompressedBytes if the file is genuine)',
          { file, limit },
        );
      }
      try {
        return decompress(input, length);
      } catch (error) {
        throw new DataError('DECOMPRESS_FAILED', `${file}: a ${codec} page is corrupt: ${(error as Error).message}`, { file, cause: error });
      }
    };
  }
  return { compressors };
}
