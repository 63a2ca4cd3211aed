// Documents for the language-model loss. A JSON Lines file gives one document per
// line (its "text" field, like C4), a Parquet file one per row (its "text" column,
// like a Hugging Face dataset; read by @layerprune/data, one row group at a time);
// any other file is one document, its text byte for byte (a held-out TinyStories
// or WikiText file). Invalid UTF-8 is an error
// naming the line (or U+FFFD with encodingErrors "replace"). Documents with no
// text are left out, and a file with none left is EMPTY_TASK: a loss over zero
// tokens would be NaN.
import { DEFAULT_MAX_DOCUMENT_BYTES, readDocuments } from '@layerprune/data';
import { EvalError, fromDataError } from './eval-error.js';
import type { MalformedRowCollector } from './malformed-rows.js';
import { readJsonl } from './read-jsonl.js';
import { isParquetTaskFile } from './read-task-rows.js';
import { streamTextLines, type TaskReadOptions } from './read-text-lines.js';

export interface LossDocument {
  id: string;
  text: string;
}

/** The read limits, and the JSON Lines field / Parquet column holding the text (default "text"). */
export interface LossReadOptions extends TaskReadOptions {
  field?: string;
}

async function readParquetLoss(file: string, options: LossReadOptions, documents: LossDocument[]): Promise<void> {
  try {
    for await (const doc of readDocuments(file, { ...options, format: 'parquet' })) documents.push({ id: `${file}:row ${doc.line}`, text: doc.text });
  } catch (error) {
    throw fromDataError(error);
  }
}

async function readWholeDocument(file: string, options: TaskReadOptions): Promise<string> {
  const limit = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const parts: string[] = [];
  let bytes = 0;
  for await (const line of streamTextLines(file, options)) {
    bytes += line.bytes + line.terminator.length;
    if (bytes > limit) {
      throw new EvalError(
        'DOCUMENT_TOO_LARGE',
        `${file}:1: the file is one loss document and passes the limit of ${limit} bytes (maxDocumentBytes) at line ${line.line}; ` +
          'split it into a .jsonl file with one {"text"} document per line, or raise maxDocumentBytes',
        { file, line: 1, limit, field: 'maxDocumentBytes' },
      );
    }
    parts.push(line.text, line.terminator);
  }
  return parts.join('');
}

export async function readLossDocuments(file: string, collector: MalformedRowCollector, options: LossReadOptions = {}): Promise<LossDocument[]> {
  const documents: LossDocument[] = [];
  const { field = 'text', ...limits } = options;
  if (await isParquetTaskFile(file)) {
    await readParquetLoss(file, options, documents);
  } else if (/\.jsonl(\.gz)?$/.test(file)) {
    await readJsonl(
      file,
      collector,
      ({ line, value }) => {
        const text = value[field];
        if (typeof text !== 'string') {
          collector.report(file, line, `missing "${field}" (a string)`);
          return;
        }
        if (text.trim() !== '') documents.push({ id: `${file}:${line}`, text });
      },
      limits,
    );
  } else {
    const text = await readWholeDocument(file, limits);
    if (text.trim() !== '') documents.push({ id: file, text });
  }
  if (documents.length === 0) {
    throw new EvalError('EMPTY_TASK', `${file}: no text to compute a loss on (the file is empty, blank, or has no valid document)`, { file });
  }
  return documents;
}
