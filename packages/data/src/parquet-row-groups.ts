// What the Parquet readers share: open a regular file, check the "PAR1" magic at
// both ends, read the footer, bound the page decompressors, then read the chosen
// columns one row group at a time (never more than one row group in memory).
// readParquetDocuments (one text column) and readParquetRows (whole rows of
// several columns) differ only in the columns they ask for and what they do
// with the cells. hyparquet is imported on first use.
import type { FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { DataError } from './data-error.js';
import { openRegularFile } from './open-regular-file.js';
import { boundedDecompressors } from './parquet-decompressors.js';
import { fileHandleBuffer, isParquetMagic } from './parquet-file.js';
import { decompressedLimit, type ResolvedReadLimits } from './read-limits.js';

export interface ParquetRowGroupOptions {
  /** The columns to read, chosen from the file's schema (may throw, e.g. MISSING_FIELD). */
  columns: (schema: SchemaTree) => string[];
  /** What a UTF8 / STRING cell becomes (the raw bytes are handed over; decoding is the caller's, strictly). */
  stringFromBytes: (bytes: Uint8Array) => unknown;
}

export interface RowGroupRows {
  /** 0-based index of the first row of the group. */
  rowStart: number;
  /** One array per row: the cells in the order of the chosen columns. */
  rows: unknown[][];
}

export function malformed(file: string, what: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  return new DataError('MALFORMED_PARQUET', `${file}: ${what}: ${(error as Error).message}`, { file, cause: error });
}

/** The top-level columns of a file: their schema elements, in file order. */
export function topLevelColumns(schema: SchemaTree): SchemaElement[] {
  return schema.children.map((child) => child.element);
}

/** "text, timestamp, url" (at most 20 names) for messages. */
export function listColumns(schema: SchemaTree): string {
  const names = topLevelColumns(schema).map((c) => c.name);
  return (names.slice(0, 20).join(', ') + (names.length > 20 ? `, ... (${names.length} columns)` : '')) || 'none';
}

/** Streams the rows of `file`, one row group at a time; errors are DataErrors naming the file. */
export async function* readParquetRowGroups(file: string, limits: ResolvedReadLimits, options: ParquetRowGroupOptions): AsyncGenerator<RowGroupRows> {
  const { handle, size } = await openRegularFile(file);
  try {
    const { parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
    const buffer = fileHandleBuffer(handle, file, size);
    const head = size >= 12 ? new Uint8Array(await buffer.slice(0, 4)) : new Uint8Array(0);
    const tail = size >= 12 ? new Uint8Array(await buffer.slice(size - 4, size)) : new Uint8Array(0);
    if (!isParquetMagic(head) || !isParquetMagic(tail)) {
      throw new DataError('MALFORMED_PARQUET', `${file}: not a Parquet file (it does not start and end with "PAR1"; ${size} bytes)`, { file });
    }
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (error) {
      throw malformed(file, 'unreadable Parquet footer', error);
    }
    const columns = options.columns(parquetSchema(metadata));
    const { compressors } = await boundedDecompressors({
      file,
      size,
      limit: decompressedLimit(limits, size),
      ratioRule: limits.maxDecompressedBytes === null,
    });
    let rowStart = 0;
    for (const [group, rowGroup] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(rowGroup.num_rows);
      if (rowEnd === rowStart) continue;
      let rows: unknown[][] = [];
      try {
        await parquetRead({
          file: buffer,
          metadata,
          columns,
          rowStart,
          rowEnd,
          compressors,
          utf8: false,
          parsers: { stringFromBytes: options.stringFromBytes },
          rowFormat: 'array',
          onComplete: (read: unknown[][]) => (rows = read),
        });
      } catch (error) {
        throw malformed(file, `row group ${group} (rows ${rowStart + 1}-${rowEnd}) is unreadable`, error);
      }
      yield { rowStart, rows };
      rowStart = rowEnd;
    }
  } finally {
    await handle.close();
  }
}
