// Documents for the language-model loss. A JSON Lines file gives one document per
// line (its "text" field, like C4); any other file is one document, read as UTF-8
// (a held-out TinyStories or WikiText file). Invalid UTF-8 is reported by line.
import type { MalformedRowCollector } from './malformed-rows.js';
import { readJsonl } from './read-jsonl.js';
import { readFileBytes, splitTextLines } from './read-text-lines.js';

export interface LossDocument {
  id: string;
  text: string;
}

export async function readLossDocuments(file: string, collector: MalformedRowCollector): Promise<LossDocument[]> {
  if (/\.jsonl(\.gz)?$/.test(file)) {
    const documents: LossDocument[] = [];
    await readJsonl(file, collector, ({ line, value }) => {
      if (typeof value.text !== 'string') {
        collector.report(file, line, 'missing "text" (a string)');
        return;
      }
      documents.push({ id: `${file}:${line}`, text: value.text });
    });
    return documents;
  }
  const bytes = await readFileBytes(file);
  const bad = splitTextLines(bytes).filter((l) => !l.valid);
  // One bad line makes the single document unusable; report every such line.
  for (const l of bad) collector.report(file, l.line, 'line is not valid UTF-8');
  if (bad.length > 0) return [];
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return [{ id: file, text: new TextDecoder('utf-8').decode(bytes.subarray(start)) }];
}
