// Reads a corpus file as a stream of documents: plain text or JSON Lines, either
// optionally gzipped (detected from the magic bytes, not the name), or Parquet
// (detected from its magic bytes "PAR1", or its .parquet name).
import { DataError } from './data-error.js';
import type { Document } from './document.js';
import { parseJsonlDocuments } from './parse-jsonl-documents.js';
import { parseTextDocuments } from './parse-text-documents.js';
import { isParquetFile } from './parquet-file.js';
import { readParquetDocuments } from './read-parquet-documents.js';
import type { Line } from './line.js';
import type { ReadLimitOptions } from './read-limits.js';
import { readLines } from './read-lines.js';

export type DataFormat = 'auto' | 'text' | 'jsonl' | 'parquet';

const FORMATS: readonly DataFormat[] = ['auto', 'text', 'jsonl', 'parquet'];

/** Also the read limits: `maxDocumentBytes`, `maxDecompressedBytes` and `encodingErrors` (read-limits.ts). */
export interface ReadDocumentsOptions extends ReadLimitOptions {
  /**
   * 'auto' (default): Parquet by its magic bytes or a .parquet name; otherwise by extension
   * (.jsonl/.ndjson/.json vs .txt/.text/.md, ignoring .gz), else by content.
   */
  format?: DataFormat;
  /** JSON Lines field, or Parquet column, holding the text; default "text". */
  field?: string;
}

const JSONL_EXTENSIONS = /\.(jsonl|ndjson|json)$/i;
const TEXT_EXTENSIONS = /\.(txt|text|md)$/i;
const PARQUET_EXTENSION = /\.parquet$/i;

function formatFromName(file: string): 'text' | 'jsonl' | null {
  const name = file.replace(/\.gz$/i, '');
  if (JSONL_EXTENSIONS.test(name)) return 'jsonl';
  if (TEXT_EXTENSIONS.test(name)) return 'text';
  return null;
}

/** Content sniffing: a first non-blank line that parses as a JSON object means JSON Lines. */
function looksLikeJsonl(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Streams the documents of `file`. Throws a DataError naming file and line for
 * unreadable, corrupt, oversized or malformed input (see readLines), and
 * `EMPTY_INPUT` when the file holds no document at all.
 */
export async function* readDocuments(file: string, options: ReadDocumentsOptions = {}): AsyncGenerator<Document> {
  const requested = options.format ?? 'auto';
  if (!FORMATS.includes(requested)) {
    throw new DataError('UNKNOWN_FORMAT', `${file}: unknown data format "${requested}"; expected auto, text, jsonl or parquet`, {
      file,
      limit: FORMATS.join('|'),
    });
  }
  if (requested === 'parquet' || (requested === 'auto' && (PARQUET_EXTENSION.test(file) || (await isParquetFile(file))))) {
    let count = 0;
    for await (const document of readParquetDocuments(file, options)) {
      count += 1;
      yield document;
    }
    if (count === 0) throw new DataError('EMPTY_INPUT', `${file}: no non-empty documents found (format parquet, column "${options.field ?? 'text'}")`, { file });
    return;
  }
  const lines = readLines(file, options);
  // Closed here whatever happens: a caller that stops after the first document
  // returns `replay` while it is still in `head`, which never reaches `lines`, and its
  // file handle would otherwise stay open until garbage collection.
  try {
    // Peek at the first non-blank line for sniffing, then replay it.
    const head: Line[] = [];
    let next = await lines.next();
    while (!next.done && next.value.text.trim() === '') {
      head.push(next.value);
      next = await lines.next();
    }
    if (next.done) throw new DataError('EMPTY_INPUT', `${file}: the file is empty (no documents)`, { file });
    head.push(next.value);
    let format: 'text' | 'jsonl';
    if (requested === 'auto') format = formatFromName(file) ?? (looksLikeJsonl(next.value.text) ? 'jsonl' : 'text');
    else format = requested;

    async function* replay(): AsyncGenerator<Line> {
      yield* head;
      yield* lines;
    }
    const documents = format === 'jsonl' ? parseJsonlDocuments(replay(), file, options.field) : parseTextDocuments(replay(), file, options);
    let count = 0;
    for await (const document of documents) {
      count += 1;
      yield document;
    }
    if (count === 0) throw new DataError('EMPTY_INPUT', `${file}: no non-empty documents found (format ${format})`, { file });
  } finally {
    await lines.return(undefined);
  }
}

/** All documents of `file` in memory. Prefer readDocuments + sampleDocuments for large corpora. */
export async function loadDocuments(file: string, options: ReadDocumentsOptions = {}): Promise<Document[]> {
  const out: Document[] = [];
  for await (const document of readDocuments(file, options)) out.push(document);
  return out;
}
