// RFC 4180 CSV over numbered lines: comma separated, fields optionally quoted
// with "" as an escaped quote, quoted fields may span lines. Every record keeps
// the line it starts on, so malformed rows can be reported by line number.
// Lenient where Python's csv module is (a quote inside an unquoted field is a
// literal), because the MMLU files were written by it.
import type { TextLine } from './read-text-lines.js';

export interface CsvRecord {
  /** Line the record starts on (1-based). */
  line: number;
  fields: string[];
  /** Set when the record cannot be parsed (e.g. a quote never closed). */
  error?: string;
}

export function parseCsvLines(lines: readonly TextLine[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false;
  let startLine = 0;
  let previousTerminator = '\n';

  for (const { line, text, terminator } of lines) {
    if (!inQuotes) {
      if (text === '') continue; // blank lines between records carry no row
      if (!text.includes('"')) {
        // Fast path: most rows have no quotes at all.
        records.push({ line, fields: text.split(',') });
        previousTerminator = terminator;
        continue;
      }
      startLine = line;
      fields = [];
      field = '';
      fieldStarted = false;
    } else {
      // A quoted field spans lines: keep the line break exactly as written (MMLU has some CRLF inside fields).
      field += previousTerminator;
    }
    previousTerminator = terminator;
    for (let i = 0; i < text.length; i += 1) {
      const ch = text[i];
      if (inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 1;
          } else {
            inQuotes = false;
          }
        } else {
          field += ch;
        }
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        fieldStarted = false;
      } else if (ch === '"' && !fieldStarted) {
        inQuotes = true;
        fieldStarted = true;
      } else {
        field += ch;
        fieldStarted = true;
      }
    }
    if (!inQuotes) {
      fields.push(field);
      records.push({ line: startLine, fields });
    }
  }
  if (inQuotes) {
    fields.push(field);
    records.push({ line: startLine, fields, error: 'quoted field is never closed' });
  }
  return records;
}
