// Whole rows of a Parquet file, for readers that need several columns of each
// row: multiple-choice tasks in the layout of their Hugging Face datasets (a
// question, a list of choices, an answer). Like readParquetDocuments, the file is
// read one row group at a time, and of each row group only the requested
// columns, so memory is one row group of those columns whatever the file's size.
//
// Values come as plain JavaScript: strings (UTF8 / STRING cells, decoded
// strictly: INVALID_UTF8 names the row and column, or U+FFFD with encodingErrors
// "replace"), numbers (INT64 too when it is a safe integer, else a bigint),
// booleans, null, lists as arrays and structs as objects, at any depth. Binary
// cells (BYTE_ARRAY without a string annotation) stay Uint8Arrays, other types
// what hyparquet makes of them (a Date for timestamps). A row whose strings and
// binary cells hold more than maxDocumentBytes in total is DOCUMENT_TOO_LARGE,
// the limit a JSON Lines line has. What the values must be is the caller's to
// check (a task reader reports a bad row as malformed); this reader refuses only
// what makes the file unreadable: a missing column (MISSING_FIELD, naming the
// columns present), a damaged file, and the limits.
import type { SchemaTree } from 'hyparquet';
import { DataError } from './data-error.js';
import { decodeParquetText } from './parquet-text.js';
import { listColumns, readParquetRowGroups, topLevelColumns } from './parquet-row-groups.js';
import { formatBytes, resolveReadLimits, type ReadLimitOptions, type ResolvedReadLimits } from './read-limits.js';

export interface ReadParquetRowsOptions extends ReadLimitOptions {
  /**
   * The columns to read. An entry that is a list names alternatives (e.g. `['answer', 'label']`):
   * those the file has are read, and it must have at least one of them.
   */
  columns: readonly (string | readonly string[])[];
}

export interface ParquetRow {
  /** 0-based row. */
  index: number;
  /** 1-based row, as messages name it ("row N"; DataError.line for Parquet). */
  line: number;
  /** The requested columns the file has, by name; a null cell is null. */
  values: Record<string, unknown>;
}

/** A UTF8 / STRING cell before decoding (hyparquet's stringFromBytes hands over the bytes). */
class Utf8Cell {
  constructor(readonly bytes: Uint8Array) {}
}

function chooseColumns(file: string, schema: SchemaTree, wanted: ReadParquetRowsOptions['columns']): string[] {
  const present = new Set(topLevelColumns(schema).map((c) => c.name));
  const every = wanted.flatMap((entry) => (typeof entry === 'string' ? [entry] : entry));
  const chosen: string[] = [];
  for (const entry of wanted) {
    const names = typeof entry === 'string' ? [entry] : [...entry];
    if (names.length === 0) throw new DataError('INVALID_ARGUMENT', `${file}: an empty list of alternative columns`, { file, field: 'columns' });
    const found = names.filter((n) => present.has(n));
    if (found.length === 0) {
      const what = names.map((n) => `"${n}"`).join(' or ');
      throw new DataError(
        'MISSING_FIELD',
        `${file}: no column ${what} in this Parquet file (columns: ${listColumns(schema)}); expected the columns ${every.join(', ')}`,
        { file, field: names[0] },
      );
    }
    for (const n of found) if (!chosen.includes(n)) chosen.push(n);
  }
  return chosen;
}

/** Converts one cell to plain values, decoding its strings and counting their bytes against the row's limit. */
class RowConverter {
  private bytes = 0;

  constructor(
    private readonly file: string,
    private readonly row: number,
    private readonly limits: ResolvedReadLimits,
  ) {}

  private count(bytes: number, column: string): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.maxDocumentBytes) {
      const limit = this.limits.maxDocumentBytes;
      throw new DataError(
        'DOCUMENT_TOO_LARGE',
        `${this.file}: row ${this.row}: the row holds more than ${formatBytes(limit)} of text (maxDocumentBytes ${limit}), passed in column "${column}"`,
        { file: this.file, line: this.row, field: column, limit },
      );
    }
  }

  convert(value: unknown, column: string): unknown {
    if (value === null || value === undefined) return null;
    if (value instanceof Utf8Cell) {
      this.count(value.bytes.length, column);
      return decodeParquetText(value.bytes, this.file, this.row, column, this.limits);
    }
    if (value instanceof Uint8Array) {
      this.count(value.length, column);
      return value;
    }
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    if (Array.isArray(value)) return value.map((v: unknown) => this.convert(v, column));
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<unknown>, (v) => this.convert(v, column));
    }
    if (value instanceof Date || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.convert(v, column)]));
  }
}

/**
 * Streams the rows of a Parquet file (the requested columns), one row group in
 * memory at a time. Throws a DataError: FILE_NOT_FOUND, NOT_A_REGULAR_FILE,
 * READ_FAILED, MALFORMED_PARQUET, MISSING_FIELD (naming the columns present),
 * DOCUMENT_TOO_LARGE, INVALID_UTF8, DECOMPRESS_FAILED or DECOMPRESSED_TOO_LARGE,
 * each naming the file (and the row and column).
 */
export async function* readParquetRows(file: string, options: ReadParquetRowsOptions): AsyncGenerator<ParquetRow> {
  const limits = resolveReadLimits(options);
  if (!Array.isArray(options.columns) || options.columns.length === 0) {
    throw new DataError('INVALID_ARGUMENT', `${file}: readParquetRows needs the columns to read`, { file, field: 'columns' });
  }
  let columns: string[] = [];
  const groups = readParquetRowGroups(file, limits, {
    columns: (schema) => (columns = chooseColumns(file, schema, options.columns)),
    stringFromBytes: (bytes) => (bytes instanceof Uint8Array ? new Utf8Cell(bytes) : bytes),
  });
  for await (const { rowStart, rows } of groups) {
    for (const [i, cells] of rows.entries()) {
      const line = rowStart + i + 1;
      const converter = new RowConverter(file, line, limits);
      const values: Record<string, unknown> = {};
      columns.forEach((name, c) => (values[name] = converter.convert(cells[c], name)));
      yield { index: rowStart + i, line, values };
    }
  }
}
