// The limits every data reader applies, so that no input file (a single endless
// line, a gzip bomb, a binary blob) can make a reader hold unbounded memory or run
// for ever. Defaults are generous for real corpora; each one is named in the
// error it raises so the user knows which option to raise.
import { DataError } from './data-error.js';

/** What to do with bytes that are not valid UTF-8: stop with INVALID_UTF8, or decode them as U+FFFD. */
export type EncodingErrors = 'error' | 'replace';

export interface ReadLimitOptions {
  /**
   * Largest line, and largest document, in bytes of UTF-8 (line terminators not
   * counted). Default DEFAULT_MAX_DOCUMENT_BYTES (64 MiB).
   */
  maxDocumentBytes?: number;
  /**
   * Largest decompressed size of a gzip file, in bytes. Default: the larger of
   * DEFAULT_MAX_COMPRESSION_RATIO x the compressed size and
   * MIN_DECOMPRESSED_BYTES_LIMIT. `Infinity` turns the check off.
   */
  maxDecompressedBytes?: number;
  /** Default 'error': invalid UTF-8 is a DataError naming file and line. */
  encodingErrors?: EncodingErrors;
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/**
 * gzip shrinks natural-language text 3-10x (JSON Lines included); a ratio over 100
 * is what bombs (long runs of one byte) look like, never a corpus.
 */
export const DEFAULT_MAX_COMPRESSION_RATIO = 100;
/** Small files pass the ratio test whatever their ratio (tiny inputs compress oddly). */
export const MIN_DECOMPRESSED_BYTES_LIMIT = 64 * 1024 * 1024;

export interface ResolvedReadLimits {
  maxDocumentBytes: number;
  /** null: the default ratio rule, computed from the compressed size. */
  maxDecompressedBytes: number | null;
  encodingErrors: EncodingErrors;
}

/** Checks the options and fills in defaults; a bad value is an INVALID_ARGUMENT naming the option. */
export function resolveReadLimits(options: ReadLimitOptions = {}): ResolvedReadLimits {
  const maxDocumentBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (!Number.isSafeInteger(maxDocumentBytes) || maxDocumentBytes < 1) {
    throw new DataError('INVALID_ARGUMENT', `maxDocumentBytes must be a positive integer number of bytes, got ${String(options.maxDocumentBytes)}`, {
      field: 'maxDocumentBytes',
      limit: 1,
    });
  }
  const maxDecompressedBytes = options.maxDecompressedBytes ?? null;
  if (maxDecompressedBytes !== null && !(maxDecompressedBytes === Infinity || (Number.isSafeInteger(maxDecompressedBytes) && maxDecompressedBytes >= 1))) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `maxDecompressedBytes must be a positive integer number of bytes or Infinity, got ${String(options.maxDecompressedBytes)}`,
      { field: 'maxDecompressedBytes', limit: 1 },
    );
  }
  const encodingErrors = options.encodingErrors ?? 'error';
  if (encodingErrors !== 'error' && encodingErrors !== 'replace') {
    throw new DataError('INVALID_ARGUMENT', `encodingErrors must be "error" or "replace", got ${JSON.stringify(options.encodingErrors)}`, {
      field: 'encodingErrors',
      limit: 'error|replace',
    });
  }
  return { maxDocumentBytes, maxDecompressedBytes, encodingErrors };
}

/** The decompressed-size limit of a gzip file of `compressedBytes` bytes. */
export function decompressedLimit(limits: ResolvedReadLimits, compressedBytes: number): number {
  if (limits.maxDecompressedBytes !== null) return limits.maxDecompressedBytes;
  return Math.max(MIN_DECOMPRESSED_BYTES_LIMIT, DEFAULT_MAX_COMPRESSION_RATIO * compressedBytes);
}

/** "64 MiB", "1.5 GiB", "512 bytes": sizes in messages. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}
