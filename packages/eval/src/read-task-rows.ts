// The rows of a multiple-choice task file, whatever its format: JSON Lines (one
// object per line, see read-jsonl.ts) or Parquet, the format of Hugging Face
// datasets, whose rows hold the same fields as columns (a list column is an
// array, a struct an object). A Parquet file is recognised by a .parquet name or
// its "PAR1" magic bytes, like loss files, and read by @layerprune/data one row
// group at a time with the same limits. A reader validates `value` the same way
// for both and reports a bad row through `report`: for JSON Lines that is the
// file and line, exactly as before; for Parquet the file, row and column.
import { isParquetFile, readParquetRows } from '@layerprune/data';
import { fromDataError } from './eval-error.js';
import type { MalformedRowCollector } from './malformed-rows.js';
import { readJsonl } from './read-jsonl.js';
import type { TaskReadOptions } from './read-text-lines.js';

export interface TaskRow {
  /** JSON Lines: the 1-based line; Parquet: the 1-based row. */
  line: number;
  /** Item id: "file:line", or "file:row N" for Parquet. */
  id: string;
  value: Record<string, unknown>;
  /** Skips this row as malformed (MALFORMED_ROW with strict); `column` is the field or column at fault (named for Parquet rows). */
  report(reason: string, column: string): void;
}

/** The columns a reader needs from a Parquet file; a list names alternatives, at least one of which must exist. */
export type TaskColumns = readonly (string | readonly string[])[];

const PARQUET_NAME = /\.parquet$/i;

/** A value for a message: JSON, except that an INT64 beyond 2^53 (a bigint) cannot be JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value));
}

/** True for a .parquet name or a regular file starting with "PAR1" (anything unreadable is left to the reader's own error). */
export async function isParquetTaskFile(file: string): Promise<boolean> {
  return PARQUET_NAME.test(file) || (await isParquetFile(file).catch(() => false));
}

/** Parquet rows of `file` (its `columns`) to `visit`, in file order; unreadable files are EvalErrors. */
export async function readParquetTaskRows(
  file: string,
  collector: MalformedRowCollector,
  columns: TaskColumns,
  visit: (row: TaskRow) => void,
  options: TaskReadOptions = {},
): Promise<void> {
  try {
    for await (const { line, values } of readParquetRows(file, { ...options, columns })) {
      visit({ line, id: `${file}:row ${line}`, value: values, report: (reason, column) => collector.report(file, line, reason, column) });
    }
  } catch (error) {
    throw fromDataError(error);
  }
}

/** Every row of a JSON Lines or Parquet task file to `visit`, in file order. */
export async function readTaskRows(
  file: string,
  collector: MalformedRowCollector,
  columns: TaskColumns,
  visit: (row: TaskRow) => void,
  options: TaskReadOptions = {},
): Promise<void> {
  if (await isParquetTaskFile(file)) return readParquetTaskRows(file, collector, columns, visit, options);
  await readJsonl(
    file,
    collector,
    ({ line, value }) => visit({ line, id: `${file}:${line}`, value, report: (reason) => collector.report(file, line, reason) }),
    options,
  );
}
