// JSON Lines corpora (C4 style): one JSON object per line, the document text in a
// string field ("text" by default). Blank lines are skipped; documents whose text is
// empty or whitespace are skipped too (nothing to tokenize), but still counted in
// `index` so indices match the file's record numbers.
import { DataError, where } from './data-error.js';
import type { Document } from './document.js';
import type { Line } from './line.js';

export async function* parseJsonlDocuments(
  lines: AsyncIterable<Line> | Iterable<Line>,
  file: string,
  field = 'text',
): AsyncGenerator<Document> {
  let index = 0;
  for await (const line of lines) {
    if (line.text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch (error) {
      throw new DataError('MALFORMED_JSON', `${where(file, line.number)}: not valid JSON (${(error as Error).message})`, {
        file,
        line: line.number,
        cause: error,
      });
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError('MALFORMED_JSON', `${where(file, line.number)}: expected a JSON object per line`, { file, line: line.number });
    }
    if (!Object.prototype.hasOwnProperty.call(record, field)) {
      const keys = Object.keys(record).slice(0, 8).join(', ');
      throw new DataError('MISSING_FIELD', `${where(file, line.number)}: no "${field}" field (fields: ${keys || 'none'})`, {
        file,
        line: line.number,
        field,
      });
    }
    const text = (record as Record<string, unknown>)[field];
    if (typeof text !== 'string') {
      throw new DataError('FIELD_NOT_STRING', `${where(file, line.number)}: field "${field}" is ${typeof text}, expected a string`, {
        file,
        line: line.number,
        field,
      });
    }
    const current = index++;
    if (text.trim() !== '') yield { text, index: current, line: line.number };
  }
}
