import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileLine } from './line.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './read-limits.js';
import { isGzipFile, readLines } from './read-lines.js';
import { C4_SAMPLE, TINYSTORIES } from './testing/fixtures.js';
import { errorOf } from './testing/error-of.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-lines-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MiB = 1024 * 1024;

function write(name: string, content: string | Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

async function all(lines: AsyncIterable<FileLine>): Promise<FileLine[]> {
  const out: FileLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('readLines', () => {
  it('rebuilds real files byte for byte from their lines and terminators, plain and gzipped', async () => {
    for (const source of [TINYSTORIES, C4_SAMPLE]) {
      const original = readFileSync(source);
      const gz = write('real.gz', gzipSync(original));
      for (const file of [source, gz]) {
        const lines = await all(readLines(file));
        expect(Buffer.from(lines.map((l) => l.text + l.terminator).join(''), 'utf8').equals(original)).toBe(true);
        expect(lines.every((l) => l.bytes === Buffer.byteLength(l.text))).toBe(true);
      }
    }
  });

  it('refuses a line over maxDocumentBytes with file, line and limit (2 MiB line, 1 MiB limit, plain and gzip)', async () => {
    const content = Buffer.concat([Buffer.from('short\nalso short\n'), Buffer.alloc(2 * MiB, 0x61), Buffer.from('\nafter\n')]);
    const plain = write('long-line.txt', content);
    const gz = write('long-line.txt.gz', gzipSync(content));
    for (const file of [plain, gz]) {
      const error = await errorOf(all(readLines(file, { maxDocumentBytes: MiB })));
      expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', file, line: 3, limit: MiB });
      expect(error.message).toContain(`${file}:3: `);
      expect(error.message).toContain('1 MiB (maxDocumentBytes 1048576)');
    }
    // The same file passes with the limit raised.
    expect((await all(readLines(plain, { maxDocumentBytes: 3 * MiB }))).map((l) => l.bytes)).toEqual([5, 10, 2 * MiB, 5]);
  });

  it('applies a 64 MiB line limit by default', async () => {
    expect(DEFAULT_MAX_DOCUMENT_BYTES).toBe(64 * MiB);
    const file = write('huge.txt', Buffer.alloc(64 * MiB + 1, 0x62));
    const error = await errorOf(all(readLines(file)));
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', line: 1, limit: 64 * MiB });
    rmSync(file);
  });

  it('stops a gzip bomb at maxDecompressedBytes (8 MiB of zeros, 1 MiB cap)', async () => {
    const bomb = write('zeros.gz', gzipSync(Buffer.alloc(8 * MiB)));
    const error = await errorOf(all(readLines(bomb, { maxDecompressedBytes: MiB })));
    expect(error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', file: bomb, limit: MiB });
    expect(error.message).toMatch(new RegExp(`^${bomb}: gzip data expands to more than 1 MiB, the limit maxDecompressedBytes`));
    expect((await all(readLines(bomb, { maxDecompressedBytes: 9 * MiB, maxDocumentBytes: 9 * MiB })))[0].bytes).toBe(8 * MiB);
  });

  it('stops a gzip bomb of short lines by the default ratio rule; a small file of the same ratio passes', async () => {
    // 80 MiB of 1 KiB lines gzips to ~80 KB: a ratio near 1000, so the default limit is the 64 MiB floor.
    const raw = Buffer.alloc(80 * MiB, `${'a'.repeat(1023)}\n`);
    const bomb = write('lines.gz', gzipSync(raw, { level: 1 }));
    const error = await errorOf(all(readLines(bomb)));
    expect(error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', limit: 64 * MiB });
    expect(error.message).toContain('more than 64 MiB (100x its compressed size of');
    const small = write('small-lines.gz', gzipSync(raw.subarray(0, 4 * MiB), { level: 1 }));
    expect(await all(readLines(small))).toHaveLength(4096);
  });

  it('refuses FIFOs, character devices and directories before opening them', async () => {
    const fifo = join(tmp, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    const link = join(tmp, 'link-to-pipe.txt');
    symlinkSync(fifo, link);
    const cases: [string, RegExp][] = [
      [fifo, /is a FIFO \(named pipe\)/],
      [link, /is a FIFO \(named pipe\)/],
      ['/dev/urandom', /is a character device/],
      ['/dev/zero', /is a character device/],
      [tmp, /is a directory/],
    ];
    for (const [file, kind] of cases) {
      const started = Date.now();
      const error = await errorOf(all(readLines(file)));
      expect(error).toMatchObject({ code: 'NOT_A_REGULAR_FILE', file });
      expect(error.message).toMatch(kind);
      expect(error.message.startsWith(`${file}: `)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await errorOf(isGzipFile(file))).code).toBe('NOT_A_REGULAR_FILE');
    }
    const regularLink = join(tmp, 'link.txt');
    symlinkSync(write('target.txt', 'via a link\n'), regularLink);
    expect((await all(readLines(regularLink))).map((l) => l.text)).toEqual(['via a link']);
  });

  it('refuses invalid UTF-8 with file:line unless encodingErrors is "replace" (plain and gzip)', async () => {
    const content = Buffer.concat([Buffer.from('one\ntwo\nthree\nf'), Buffer.from([0xf6]), Buffer.from('ur\nfive\n')]); // Latin-1 "ö"
    for (const file of [write('latin1.txt', content), write('latin1.txt.gz', gzipSync(content))]) {
      const error = await errorOf(all(readLines(file)));
      expect(error).toMatchObject({ code: 'INVALID_UTF8', file, line: 4 });
      expect(error.message).toMatch(new RegExp(`^${file}:4: not valid UTF-8 \\(byte 0xf6 at byte 2 of the line\\)`));
      const replaced = await all(readLines(file, { encodingErrors: 'replace' }));
      expect(replaced.map((l) => l.text)).toEqual(['one', 'two', 'three', 'f\uFFFDur', 'five']);
    }
  });

  it('yields nothing for an empty file, plain or gzipped', async () => {
    expect(await all(readLines(write('empty.txt', '')))).toEqual([]);
    expect(await all(readLines(write('empty.gz', gzipSync(Buffer.alloc(0)))))).toEqual([]);
  });

  it('rejects invalid limits with INVALID_ARGUMENT naming the option', async () => {
    const file = write('ok.txt', 'x\n');
    for (const [options, field] of [
      [{ maxDocumentBytes: 0 }, 'maxDocumentBytes'],
      [{ maxDocumentBytes: 1.5 }, 'maxDocumentBytes'],
      [{ maxDecompressedBytes: -1 }, 'maxDecompressedBytes'],
      [{ encodingErrors: 'ignore' }, 'encodingErrors'],
    ] as const) {
      expect(await errorOf(all(readLines(file, options as never)))).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
  });
});
