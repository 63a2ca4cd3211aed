// Rows of a task file that cannot be turned into an item. By default they are
// collected (and reported with file and line); with `strict` the first one stops
// the run with an EvalError naming the file, line and reason.
import { EvalError } from './eval-error.js';

export interface MalformedRow {
  file: string;
  line: number;
  reason: string;
}

export class MalformedRowCollector {
  readonly rows: MalformedRow[] = [];

  constructor(private readonly strict: boolean) {}

  report(file: string, line: number, reason: string): void {
    if (this.strict) {
      throw new EvalError('MALFORMED_ROW', `${file}:${line}: ${reason}`, { file, line });
    }
    this.rows.push({ file, line, reason });
  }
}
