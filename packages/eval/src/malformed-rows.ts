// Rows of a task file that cannot be turned into an item. By default they are
// collected (and reported with file and line); with `strict` the first one stops
// the run with an EvalError naming the file, line and reason. A row of a Parquet
// task file is named by its row and the column at fault: `line` is then the
// 1-based row, and `column` the column.
import { EvalError } from './eval-error.js';

export interface MalformedRow {
  file: string;
  /** 1-based line; for a Parquet file, the 1-based row. */
  line: number;
  reason: string;
  /** Parquet task files: the column at fault (absent for text and JSON Lines files). */
  column?: string;
}

/** "file:3: reason", or "file: row 3: column "answer": reason" for a Parquet row. */
export function describeMalformedRow(row: MalformedRow): string {
  return row.column === undefined ? `${row.file}:${row.line}: ${row.reason}` : `${row.file}: row ${row.line}: column "${row.column}": ${row.reason}`;
}

export class MalformedRowCollector {
  readonly rows: MalformedRow[] = [];

  constructor(private readonly strict: boolean) {}

  /** `column`: the row is a Parquet row (`line` its 1-based row) and this column is at fault. */
  report(file: string, line: number, reason: string, column?: string): void {
    const row: MalformedRow = column === undefined ? { file, line, reason } : { file, line, reason, column };
    if (this.strict) {
      throw new EvalError('MALFORMED_ROW', describeMalformedRow(row), { file, line, field: column });
    }
    this.rows.push(row);
  }
}
