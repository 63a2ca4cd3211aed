// Parquet corpora (the format of Hugging Face datasets): one document per row,
// its text in a string column ("text" by default, like JSON Lines' field). The
// file is read one row group at a time, and of each row group only the chosen
// column, so memory is one row group's column, whatever the size of the file.
//
// Same limits as the line reader: regular files only, a cell longer than
// maxDocumentBytes is DOCUMENT_TOO_LARGE, invalid UTF-8 is INVALID_UTF8 (or
// U+FFFD with encodingErrors "replace"), decompressed pages are bounded by
// maxDecompressedBytes. A document's `line` is its 1-based row number. Null and
// empty (or whitespace) cells are skipped but keep their `index`, like empty
// JSON Lines texts.
// hyparquet is imported on first use: reading text or JSON Lines never loads it.
import type { FileMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { DataError } from './data-error.js';
import type { Document } from './document.js';
import { openRegularFile } from './open-regular-file.js';
import { boundedDecompressors } from './parquet-decompressors.js';
import { fileHandleBuffer, isParquetMagic } from './parquet-file.js';
import { decompressedLimit, formatBytes, resolveReadLimits, type ReadLimitOptions } from './read-limits.js';
import { firstInvalidUtf8 } from './split-lines.js';

export interface ReadParquetOptions extends ReadLimitOptions {
  /** The column holding the text; default "text". */
  field?: string;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function malformed(file: string, what: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  return new DataError('MALFORMED_PARQUET', `${file}: ${what}: ${(error as Error).message}`, { file, cause: error });
}

/** "string (BYTE_ARRAY UTF8)", "INT64", "a group of 2 columns": what a column holds, for messages. */
function describeColumn(element: SchemaElement): string {
  if (element.num_children !== undefined) return `a nested column (${element.num_children} children)`;
  const annotation = element.logical_type?.type ?? element.converted_type;
  return annotation === undefined ? (element.type ?? 'untyped') : `${element.type ?? 'untyped'} ${annotation}`;
}

function isStringColumn(element: SchemaElement): boolean {
  return element.type === 'BYTE_ARRAY' && element.num_children === undefined && (element.converted_type === 'UTF8' || element.logical_type?.type === 'STRING');
}

function columnOf(file: string, schema: SchemaTree, field: string): SchemaElement {
  const columns = schema.children.map((child) => child.element);
  const column = columns.find((c) => c.name === field);
  if (column) return column;
  const names = columns.map((c) => c.name);
  const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? `, ... (${names.length} columns)` : '');
  throw new DataError(
    'MISSING_FIELD',
    `${file}: no column "${field}" in this Parquet file (columns: ${shown || 'none'}); choose the text column with the field option (--field)`,
    { file, field },
  );
}

/** The text of one cell, or null for a skipped (null or blank) cell. */
function cellText(value: unknown, row: number, column: SchemaElement, file: string, limits: ReturnType<typeof resolveReadLimits>): string | null {
  if (value === null || value === undefined) return null;
  if (!isStringColumn(column) || !(value instanceof Uint8Array)) {
    throw new DataError(
      'FIELD_NOT_STRING',
      `${file}: row ${row}: column "${column.name}" holds ${describeColumn(column)} values, expected strings (a UTF8 / STRING column)`,
      { file, line: row, field: column.name },
    );
  }
  if (value.length > limits.maxDocumentBytes) {
    throw new DataError(
      'DOCUMENT_TOO_LARGE',
      `${file}: row ${row}: column "${column.name}" holds ${value.length} bytes, more than the limit of ` +
        `${formatBytes(limits.maxDocumentBytes)} (maxDocumentBytes ${limits.maxDocumentBytes})`,
      { file, line: row, field: column.name, limit: limits.maxDocumentBytes },
    );
  }
  let text: string;
  if (limits.encodingErrors === 'replace') text = lenientDecoder.decode(value);
  else {
    try {
      text = strictDecoder.decode(value);
    } catch (error) {
      const at = Math.max(0, firstInvalidUtf8(value));
      throw new DataError(
        'INVALID_UTF8',
        `${file}: row ${row}: column "${column.name}" is not valid UTF-8 (byte 0x${value[at].toString(16).padStart(2, '0')} at byte ${at + 1}); ` +
          'set encodingErrors to "replace" to read such bytes as U+FFFD',
        { file, line: row, field: column.name, limit: 'utf-8', cause: error },
      );
    }
  }
  return text.trim() === '' ? null : text;
}


/**
 * Streams the documents of a Parquet file, one row group in memory at a time.
 * Throws a DataError: FILE_NOT_FOUND, NOT_A_REGULAR_FILE, READ_FAILED,
 * MALFORMED_PARQUET, MISSING_FIELD (naming the columns present),
 * FIELD_NOT_STRING, DOCUMENT_TOO_LARGE, INVALID_UTF8, DECOMPRESS_FAILED or
 * DECOMPRESSED_TOO_LARGE, each naming the file (and the row).
 */
export async function* readParquetDocuments(file: string, options: ReadParquetOptions = {}): AsyncGenerator<Document> {
  const limits = resolveReadLimits(options);
  const field = options.field ?? 'text';
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
    const column = columnOf(file, parquetSchema(metadata), field);
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
      // The cells of `field` in this row group, strings as their UTF-8 bytes (decoded below, strictly).
      let cells: unknown[] = [];
      try {
        await parquetRead({
          file: buffer,
          metadata,
          columns: [field],
          rowStart,
          rowEnd,
          compressors,
          utf8: false,
          parsers: { stringFromBytes: (bytes: Uint8Array) => bytes },
          rowFormat: 'array',
          onComplete: (rows: unknown[][]) => (cells = rows.map((row) => row[0])),
        });
      } catch (error) {
        throw malformed(file, `row group ${group} (rows ${rowStart + 1}-${rowEnd}) is unreadable`, error);
      }
      for (const [i, value] of cells.entries()) {
        const text = cellText(value, rowStart + i + 1, column, file, limits);
        if (text !== null) yield { text, index: rowStart + i, line: rowStart + i + 1 };
      }
      rowStart = rowEnd;
    }
  } finally {
    await handle.close();
  }
}
