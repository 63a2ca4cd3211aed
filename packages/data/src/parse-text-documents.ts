// Plain text corpora: documents are separated by one or more blank (or
// whitespace-only) lines; the lines of a document are joined with "\n".
import { DataError, where } from './data-error.js';
import type { Document } from './document.js';
import type { Line } from './line.js';
import { formatBytes, resolveReadLimits } from './read-limits.js';

export interface ParseTextOptions {
  /** Largest document in UTF-8 bytes (joining newlines included). Default DEFAULT_MAX_DOCUMENT_BYTES (64 MiB). */
  maxDocumentBytes?: number;
}

export async function* parseTextDocuments(
  lines: AsyncIterable<Line> | Iterable<Line>,
  file: string,
  options: ParseTextOptions = {},
): AsyncGenerator<Document> {
  const limit = resolveReadLimits({ maxDocumentBytes: options.maxDocumentBytes }).maxDocumentBytes;
  let parts: string[] = [];
  let bytes = 0;
  let start = 0;
  let index = 0;
  for await (const line of lines) {
    if (line.text.trim() === '') {
      if (parts.length > 0) {
        yield { text: parts.join('\n'), index: index++, line: start };
        parts = [];
        bytes = 0;
      }
      continue;
    }
    if (parts.length === 0) start = line.number;
    bytes += (line.bytes ?? Buffer.byteLength(line.text, 'utf8')) + (parts.length > 0 ? 1 : 0);
    if (bytes > limit) {
      throw new DataError(
        'DOCUMENT_TOO_LARGE',
        `${where(file, start)}: document (lines ${start}-${line.number}) is larger than the limit of ${formatBytes(limit)} ` +
          `(maxDocumentBytes ${limit}) without a blank line; is this really a text corpus?`,
        { file, line: start, limit },
      );
    }
    parts.push(line.text);
  }
  if (parts.length > 0) yield { text: parts.join('\n'), index, line: start };
}
