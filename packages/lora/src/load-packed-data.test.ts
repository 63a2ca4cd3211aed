import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '@layerprune/data';
import { afterAll, describe, expect, it } from 'vitest';
import { LoraError } from './lora-error.js';
import { loadPackedData } from './load-packed-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-packed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Byte-level stand-in tokenizer with BOS = 1.
const tokenizer = { encode: (text: string): number[] => [1, ...Array.from(Buffer.from(text, 'utf8'), (b) => b + 3)] };

function write(name: string, content: string | Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

describe('loadPackedData', () => {
  it('packs the documents into sequences of exactly seqLen tokens, skipping the first ones on request', async () => {
    const file = write('corpus.txt', 'first doc\n\nsecond document\n\nthird one here\n');
    const stream = ['first doc', 'second document', 'third one here'].flatMap((t) => tokenizer.encode(t));
    const { data, documents } = await loadPackedData(file, tokenizer, { seqLen: 8, maxSequences: 100 });
    expect(documents).toBe(3);
    expect(data.count).toBe(Math.floor(stream.length / 8));
    expect(Array.from(data.tokens)).toEqual(stream.slice(0, data.count * 8));
    const skipped = await loadPackedData(file, tokenizer, { seqLen: 4, maxSequences: 2, skipDocuments: 1 });
    expect(skipped.data.sequence(0)).toEqual(tokenizer.encode('second document').slice(0, 4));
  });

  it('an empty or blank file is EMPTY_INPUT naming it, never an empty training set', async () => {
    for (const file of [write('empty.txt', ''), write('blank.txt', '\n  \n'), write('empty.gz', gzipSync(Buffer.alloc(0)))]) {
      const error = await loadPackedData(file, tokenizer, { seqLen: 4, maxSequences: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect(error).toMatchObject({ code: 'EMPTY_INPUT', file, message: expect.stringContaining(file) });
    }
    const tiny = await loadPackedData(write('tiny.txt', 'ab\n'), tokenizer, { seqLen: 64, maxSequences: 2 }).catch((e: unknown) => e);
    expect(tiny).toBeInstanceOf(LoraError);
    expect(tiny).toMatchObject({ code: 'DATA_TOO_SHORT', limit: 64 });
  });

  it('passes maxDocumentBytes and encodingErrors to the reader', async () => {
    const latin1 = write('latin1.txt', Buffer.concat([Buffer.from('good text\n\nbad '), Buffer.from([0xe9]), Buffer.from(' text\n')]));
    await expect(loadPackedData(latin1, tokenizer, { seqLen: 4, maxSequences: 100 })).rejects.toMatchObject({
      code: 'INVALID_UTF8',
      file: latin1,
      line: 3,
      message: expect.stringMatching(/latin1\.txt:3: not valid UTF-8/),
    });
    const replaced = await loadPackedData(latin1, tokenizer, { seqLen: 2, maxSequences: 100, encodingErrors: 'replace' });
    expect(replaced.documents).toBe(2);
    const long = write('long.jsonl', `${JSON.stringify({ text: 'x'.repeat(5000) })}\n`);
    await expect(loadPackedData(long, tokenizer, { seqLen: 4, maxSequences: 2, maxDocumentBytes: 4096 })).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_LARGE',
      file: long,
      line: 1,
      limit: 4096,
    });
    expect((await loadPackedData(long, tokenizer, { seqLen: 4, maxSequences: 2 })).data.count).toBe(2);
  });

  it('refuses a FIFO and a device without blocking', async () => {
    const fifo = join(tmp, 'train.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const file of [fifo, '/dev/urandom']) {
      await expect(loadPackedData(file, tokenizer, { seqLen: 4, maxSequences: 2 })).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', file });
    }
  });
});
