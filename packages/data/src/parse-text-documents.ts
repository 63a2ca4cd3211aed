// Plain text corpora: documents are separated by one or more blank (or
// whitespace-only) lines; the lines of a document are joined with "\n".
import { DataError, where } from './data-error.js';
import { MAX_DOCUMENT_CHARS, type Document } from './document.js';
import type { Line } from './read-lines.js';

export async function* parseTextDocuments(lines: AsyncIterable<Line> | Iterable<Line>, file: string): AsyncGenerator<Document> {
  let parts: string[] = [];
  let chars = 0;
  let start = 0;
  let index = 0;
  for await (const line of lines) {
    if (line.text.trim() === '') {
      if (parts.length > 0) {
        yield { text: parts.join('\n'), index: index++, line: start };
        parts = [];
        chars = 0;
      }
      continue;
    }
    if (parts.length === 0) start = line.number;
    chars += line.text.length + 1;
    if (chars > MAX_DOCUMENT_CHARS) {
      throw new DataError(
        'DOCUMENT_TOO_LARGE',
        `${where(file, start)}: document exceeds ${MAX_DOCUMENT_CHARS} characters without a blank line; is this really a text corpus?`,
        { file, line: start, limit: MAX_DOCUMENT_CHARS },
      );
    }
    parts.push(line.text);
  }
  if (parts.length > 0) yield { text: parts.join('\n'), index, line: start };
}
