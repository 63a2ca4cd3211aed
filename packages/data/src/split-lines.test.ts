import { describe, expect, it } from 'vitest';
import type { FileLine } from './line.js';
import { resolveReadLimits, type ReadLimitOptions } from './read-limits.js';
import { firstInvalidUtf8, splitLines } from './split-lines.js';
import { errorOf } from './testing/error-of.js';

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
}

async function collect(chunks: AsyncIterable<Buffer>, options: ReadLimitOptions = {}): Promise<FileLine[]> {
  const out: FileLine[] = [];
  for await (const line of splitLines(chunks, 'mem.txt', resolveReadLimits(options))) out.push(line);
  return out;
}

// Independent expectation: String.split on the decoded text.
function expectedLines(text: string): { text: string; terminator: string }[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((p) => (p.endsWith('\r') ? { text: p.slice(0, -1), terminator: '\r\n' } : { text: p, terminator: '\n' }));
  if (last !== '') lines.push({ text: last, terminator: '' });
  return lines;
}

describe('splitLines', () => {
  const text = 'héllo wörld\r\n😀 emoji line\n\n中文字符\r\nlast without newline ✓';
  const bytes = Buffer.from(text, 'utf8');

  it('gives the same lines wherever the chunks are cut, multi-byte characters and CRLF included', async () => {
    const expected = expectedLines(text);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const lines = await collect(chunked(bytes, [cut]));
      expect(lines.map((l) => ({ text: l.text, terminator: l.terminator }))).toEqual(expected);
      expect(lines.map((l) => l.number)).toEqual(expected.map((_, i) => i + 1));
      expect(lines.map((l) => l.bytes)).toEqual(expected.map((l) => Buffer.byteLength(l.text)));
    }
    // One byte per chunk: every multi-byte sequence is split.
    const single = await collect(chunked(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)));
    expect(single.map((l) => l.text)).toEqual(expected.map((l) => l.text));
  });

  it('drops a BOM on the first line only', async () => {
    const lines = await collect(chunked(Buffer.from('\uFEFFa\n\uFEFFb\n', 'utf8'), [1, 2]));
    expect(lines.map((l) => l.text)).toEqual(['a', '\uFEFFb']);
  });

  it('accepts a line of exactly maxDocumentBytes (CR not counted) and refuses one byte more, naming the line', async () => {
    const ok = await collect(chunked(Buffer.from('x\r\n' + 'a'.repeat(10) + '\r\n'), [5]), { maxDocumentBytes: 10 });
    expect(ok.map((l) => l.bytes)).toEqual([1, 10]);
    const error = await errorOf(collect(chunked(Buffer.from('x\ny\n' + 'a'.repeat(11) + '\n'), [6]), { maxDocumentBytes: 10 }));
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', file: 'mem.txt', line: 3, limit: 10 });
    expect(error.message).toMatch(/^mem\.txt:3: line is longer than the limit of 10 bytes \(maxDocumentBytes 10\)/);
  });

  it('stops an endless line as soon as it passes the limit', async () => {
    let produced = 0;
    // 4 MiB without a newline stands in for an endless source (a real endless one
    // would hang the test, not fail it, if the limit were not applied early).
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from('first\n');
      for (; produced < 4096; ) {
        produced += 1;
        yield Buffer.alloc(1024, 0x61);
      }
    }
    const error = await errorOf(collect(endless(), { maxDocumentBytes: 64 * 1024 }));
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', line: 2 });
    expect(produced).toBeLessThanOrEqual(65);
  });

  it('refuses invalid UTF-8 with its line and byte, also when the bad sequence is cut by a chunk boundary', async () => {
    const bad = Buffer.concat([Buffer.from('ok\nfine\nab'), Buffer.from([0xe2, 0x82]), Buffer.from('\nnext\n')]); // truncated "€"
    for (const cut of [10, 11, 12]) {
      const error = await errorOf(collect(chunked(bad, [cut])));
      expect(error).toMatchObject({ code: 'INVALID_UTF8', file: 'mem.txt', line: 3 });
      expect(error.message).toMatch(/^mem\.txt:3: not valid UTF-8 \(byte 0xe2 at byte 3 of the line\)/);
    }
    const replaced = await collect(chunked(bad, [11]), { encodingErrors: 'replace' });
    expect(replaced.map((l) => l.text)).toEqual(['ok', 'fine', 'ab\uFFFD', 'next']);
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with the WHATWG fatal decoder on random bytes, and points at a byte the prefix before it decodes up to', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    // Bias towards bytes that form (or almost form) multi-byte sequences.
    const pool = [0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff];
    let invalid = 0;
    const disagreements: string[] = [];
    for (let trial = 0; trial < 20_000; trial += 1) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 8) }, () => pool[next() % pool.length]);
      let valid = true;
      try {
        decoder.decode(bytes);
      } catch {
        valid = false;
      }
      const at = firstInvalidUtf8(bytes);
      if ((at === -1) !== valid) disagreements.push(Buffer.from(bytes).toString('hex'));
      if (!valid) {
        invalid += 1;
        try {
          decoder.decode(bytes.subarray(0, at));
        } catch {
          disagreements.push(`prefix of ${Buffer.from(bytes).toString('hex')}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(invalid).toBeGreaterThan(1000);
  });
});
