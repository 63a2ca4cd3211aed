// Documents for the language-model loss. A JSON Lines file gives one document per
// line (its "text" field, like C4); any other file is one document, its text byte
// for byte (a held-out TinyStories or WikiText file). Invalid UTF-8 is an error
// naming the line (or U+FFFD with encodingErrors "replace"). Documents with no
// text are left out, and a file with none left is EMPTY_TASK: a loss over zero
// tokens would be NaN.
import { DEFAULT_MAX_DOCUMENT_BYTES } from '@layerprune/data';
import { EvalError } from './eval-error.js';
import type { MalformedRowCollector } from './malformed-rows.js';
import { readJsonl } from './read-jsonl.js';
import { streamTextLines, type TaskReadOptions } from './read-text-lines.js';

export interface LossDocument {
  id: string;
  text: string;
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

export async function readLossDocuments(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<LossDocument[]> {
  const documents: LossDocument[] = [];
  if (/\.jsonl(\.gz)?$/.test(file)) {
    await readJsonl(
      file,
      collector,
      ({ line, value }) => {
        if (typeof value.text !== 'string') {
          collector.report(file, line, 'missing "text" (a string)');
          return;
        }
        if (value.text.trim() !== '') documents.push({ id: `${file}:${line}`, text: value.text });
      },
      options,
    );
  } else {
    const text = await readWholeDocument(file, options);
    if (text.trim() !== '') documents.push({ id: file, text });
  }
  if (documents.length === 0) {
    throw new EvalError('EMPTY_TASK', `${file}: no text to compute a loss on (the file is empty, blank, or has no valid document)`, { file });
  }
  return documents;
}
