import { mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocuments, readDocuments } from './read-documents.js';
import { C4_SAMPLE, C4_SAMPLE_DOCUMENTS, TINYSTORIES } from './testing/fixtures.js';
import { errorOf } from './testing/error-of.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

// Independent expectations computed straight from the files.
const c4Texts = readFileSync(C4_SAMPLE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text);
const storyTexts = readFileSync(TINYSTORIES, 'utf8')
  .split(/\n[ \t]*\n/)
  .map((part) => part.replace(/^\n+|\n+$/g, ''))
  .filter((part) => part.trim() !== '');

describe('readDocuments on the real fixtures', () => {
  it('reads the C4 JSON Lines sample: one document per line, with its line number', async () => {
    const docs = await loadDocuments(C4_SAMPLE);
    expect(docs).toHaveLength(C4_SAMPLE_DOCUMENTS);
    expect(c4Texts).toHaveLength(C4_SAMPLE_DOCUMENTS);
    expect(docs.map((d) => d.text)).toEqual(c4Texts);
    expect(docs[0].text.startsWith('Beginners BBQ Class Taking Place in Missoula!')).toBe(true);
    expect(docs[C4_SAMPLE_DOCUMENTS - 1]).toMatchObject({ index: C4_SAMPLE_DOCUMENTS - 1, line: C4_SAMPLE_DOCUMENTS });
  });

  it('reads TinyStories plain text as blank-line separated documents', async () => {
    const docs = await loadDocuments(TINYSTORIES);
    // A line of only spaces or tabs separates documents too: `grep -c '^[[:blank:]]*$'` counts 3,325 such lines,
    // none of them adjacent, first or last (3,323 empty ones between the file's paragraphs, and 2 lines holding one
    // space inside two paragraphs), so there are 3,326 documents.
    expect(docs).toHaveLength(3326);
    expect(docs.map((d) => d.text)).toEqual(storyTexts);
    expect(docs[0]).toMatchObject({ index: 0, line: 1 });
    expect(docs[0].text.startsWith('Spot. Spot saw the shiny car')).toBe(true);
    expect(docs[1].line).toBe(3);
  });

  it('gunzips either format by magic bytes, whatever the file name', async () => {
    const gzJsonl = write('c4.jsonl.gz', gzipSync(readFileSync(C4_SAMPLE)));
    const noName = write('blob', gzipSync(readFileSync(C4_SAMPLE)));
    const gzText = write('stories.gz', gzipSync(readFileSync(TINYSTORIES)));
    expect((await loadDocuments(gzJsonl)).map((d) => d.text)).toEqual(c4Texts);
    expect((await loadDocuments(noName)).map((d) => d.text)).toEqual(c4Texts); // sniffed as JSON Lines
    expect((await loadDocuments(gzText)).map((d) => d.text)).toEqual(storyTexts);
  });

  it('streams: stopping early reads only what was asked', async () => {
    const first: string[] = [];
    for await (const doc of readDocuments(C4_SAMPLE)) {
      first.push(doc.text);
      if (first.length === 3) break;
    }
    expect(first).toEqual(c4Texts.slice(0, 3));
  });

  // Linux only (/proc): the file descriptors this process holds on `file`.
  function openDescriptorsOn(file: string): string[] {
    return readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // closed between the listing and the readlink
      }
    });
  }

  it.runIf(process.platform === 'linux')('closes the file when the caller stops after the first document (text, JSON Lines)', async () => {
    // The first document comes from the sniffed head; stopping there used to leave the
    // line reader suspended with its handle open until garbage collection (and Node's
    // "Closing file descriptor on garbage collection" warning on stderr).
    for (const [name, content] of [
      ['first.jsonl', '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n'],
      ['first.txt', 'one\n\ntwo\n\nthree\n'],
    ]) {
      const file = realpathSync(write(name, content));
      const documents = readDocuments(file);
      expect((await documents.next()).value).toMatchObject({ index: 0 });
      expect(openDescriptorsOn(file)).toHaveLength(1);
      await documents.return(undefined);
      expect(openDescriptorsOn(file)).toEqual([]);
    }
  });
});

describe('readDocuments on small inputs', () => {
  it('handles CRLF, a BOM, several blank lines and a configurable JSON field', async () => {
    const text = write('crlf.txt', '\uFEFFfirst line\r\nsecond\r\n\r\n  \r\n\r\nthird\r\n');
    expect((await loadDocuments(text)).map((d) => [d.text, d.line])).toEqual([['first line\nsecond', 1], ['third', 6]]);
    const jsonl = write('body.jsonl', '{"body":"a"}\n\n{"body":"  "}\n{"body":"b c"}\n');
    expect((await loadDocuments(jsonl, { field: 'body' })).map((d) => [d.text, d.index, d.line])).toEqual([
      ['a', 0, 1],
      ['b c', 2, 4],
    ]);
    // A text file that happens to start with "{" is read as text when told so.
    const braces = write('braces.dat', '{"text": "x"} is not data\n');
    expect((await loadDocuments(braces, { format: 'text' }))[0].text).toBe('{"text": "x"} is not data');
  });

  it('gives typed errors naming file and line', async () => {
    const empty = await errorOf(loadDocuments(write('empty.txt', '')));
    expect(empty.code).toBe('EMPTY_INPUT');
    expect(empty.message).toContain('empty.txt');
    expect((await errorOf(loadDocuments(write('blank.txt', '\n \n\t\n')))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(loadDocuments(write('blank.jsonl', '{"text":""}\n')))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(loadDocuments(join(tmp, 'missing.txt')))).code).toBe('FILE_NOT_FOUND');
    mkdirSync(join(tmp, 'dir.txt'), { recursive: true });
    expect((await errorOf(loadDocuments(join(tmp, 'dir.txt')))).code).toBe('NOT_A_REGULAR_FILE');

    const bad = await errorOf(loadDocuments(write('bad.jsonl', '{"text":"a"}\n{"text":"b"}\n{"text": oops}\n')));
    expect(bad).toMatchObject({ code: 'MALFORMED_JSON', line: 3 });
    expect(bad.message).toMatch(/bad\.jsonl:3: not valid JSON/);
    expect(await errorOf(loadDocuments(write('arr.jsonl', '[1,2]\n')))).toMatchObject({ code: 'MALFORMED_JSON', line: 1 });
    const missing = await errorOf(loadDocuments(write('nofield.jsonl', '{"text":"a"}\n{"content":"b"}\n')));
    expect(missing).toMatchObject({ code: 'MISSING_FIELD', line: 2, field: 'text' });
    expect(missing.message).toContain('fields: content');
    expect(await errorOf(loadDocuments(write('num.jsonl', '{"text":5}\n')))).toMatchObject({ code: 'FIELD_NOT_STRING', line: 1 });
    expect((await errorOf(loadDocuments(C4_SAMPLE, { format: 'csv' as never }))).code).toBe('UNKNOWN_FORMAT');
  });

  it('reports corrupt gzip data as DECOMPRESS_FAILED', async () => {
    const whole = gzipSync(readFileSync(TINYSTORIES));
    const truncated = write('cut.txt.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    expect((await errorOf(loadDocuments(truncated))).code).toBe('DECOMPRESS_FAILED');
    const garbage = Buffer.from(whole);
    garbage.fill(0x55, 20, 400);
    expect((await errorOf(loadDocuments(write('garbage.txt.gz', garbage)))).code).toBe('DECOMPRESS_FAILED');
  });
});

describe('readDocuments limits', () => {
  it('counts a text document in UTF-8 bytes against maxDocumentBytes, at its first line', async () => {
    // 30 emoji are 60 UTF-16 units but 120 bytes: only a byte count refuses this at 100.
    const file = write('emoji.txt', `intro\n\n${'😀'.repeat(10)}\n${'😀'.repeat(10)}\n${'😀'.repeat(10)}\n\nafter\n`);
    const error = await errorOf(loadDocuments(file, { maxDocumentBytes: 100 }));
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', file, line: 3, limit: 100 });
    expect(error.message).toMatch(/emoji\.txt:3: document \(lines 3-5\) is larger than the limit of 100 bytes \(maxDocumentBytes 100\)/);
    // 3 lines of 40 bytes + 2 joining newlines = 122 bytes.
    expect((await loadDocuments(file, { maxDocumentBytes: 122 })).map((d) => d.line)).toEqual([1, 3, 7]);
    expect((await errorOf(loadDocuments(file, { maxDocumentBytes: 121 }))).code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('passes the read limits through for JSON Lines, and replaces bad bytes only when asked', async () => {
    const file = write('mixed.jsonl', Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const error = await errorOf(loadDocuments(file));
    expect(error).toMatchObject({ code: 'INVALID_UTF8', line: 2 });
    expect(error.message).toContain('mixed.jsonl:2: not valid UTF-8');
    expect((await loadDocuments(file, { encodingErrors: 'replace' })).map((d) => d.text)).toEqual(['ok', 'caf\uFFFD']);
    expect(await errorOf(loadDocuments(file, { maxDocumentBytes: 10 }))).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', line: 1 });
  });

  it('an empty gzip file is EMPTY_INPUT, not zero documents', async () => {
    const error = await errorOf(loadDocuments(write('nothing.txt.gz', gzipSync(Buffer.alloc(0)))));
    expect(error.code).toBe('EMPTY_INPUT');
    expect(error.message).toContain('nothing.txt.gz');
  });
});
