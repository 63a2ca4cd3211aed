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
import type { SchemaElement, SchemaTree } from 'hyparquet';
import { DataError } from './data-error.js';
import type { Document } from './document.js';
import { decodeParquetText } from './parquet-text.js';
import { listColumns, readParquetRowGroups, topLevelColumns } from './parquet-row-groups.js';
import { formatBytes, resolveReadLimits, type ReadLimitOptions } from './read-limits.js';

export interface ReadParquetOptions extends ReadLimitOptions {
  /** The column holding the text; default "text". */
  field?: string;
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
  const column = topLevelColumns(schema).find((c) => c.name === field);
  if (column) return column;
  throw new DataError(
    'MISSING_FIELD',
    `${file}: no column "${field}" in this Parquet file (columns: ${listColumns(schema)}); choose the text column with the field option (--field)`,
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
  const text = decodeParquetText(value, file, row, column.name, limits);
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
  let column: SchemaElement | undefined;
  const groups = readParquetRowGroups(file, limits, {
    columns: (schema) => {
      column = columnOf(file, schema, field);
      return [field];
    },
    // The cells of `field` as their UTF-8 bytes, decoded below (strictly).
    stringFromBytes: (bytes) => bytes,
  });
  for await (const { rowStart, rows } of groups) {
    for (const [i, row] of rows.entries()) {
      const text = cellText(row[0], rowStart + i + 1, column!, file, limits);
      if (text !== null) yield { text, index: rowStart + i, line: rowStart + i + 1 };
    }
  }
}
