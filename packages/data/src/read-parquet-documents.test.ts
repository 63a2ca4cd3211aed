import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCalibrationSequences } from './load-calibration-sequences.js';
import { loadDocuments, readDocuments } from './read-documents.js';
import { isParquetFile } from './parquet-file.js';
import { errorOf } from './testing/error-of.js';
import { C4_SAMPLE } from './testing/fixtures.js';
import { stringColumn, writeParquet, type TestCodec } from './testing/parquet.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-parquet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The C4 sample with its three fields, as the allenai/c4 Parquet files hold them.
const records = readFileSync(C4_SAMPLE, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as { text: string; timestamp: string; url: string });
const texts = records.map((r) => r.text);
const c4Columns = [stringColumn('text', texts), stringColumn('timestamp', records.map((r) => r.timestamp)), stringColumn('url', records.map((r) => r.url))];
/** Built by scripts/make-zstd-parquet-fixture.mjs with the zstd command line (entropy-coded pages). */
const ZSTD_FIXTURE = resolve(C4_SAMPLE, '..', 'c4-en-train-first100.zstd.parquet');

const metadataOf = (bytes: Buffer): ReturnType<typeof parquetMetadata> => parquetMetadata(Uint8Array.from(bytes).buffer);

function c4Parquet(name: string, codec: TestCodec = 'SNAPPY'): { file: string; bytes: Buffer } {
  const file = join(tmp, name);
  return { file, bytes: writeParquet(file, c4Columns, { codec, rowGroupSize: 40 }) };
}

describe('readDocuments on Parquet', () => {
  it('reads the text column exactly, one document per row, in 3 row groups', async () => {
    const { file } = c4Parquet('c4.parquet');
    const docs = await loadDocuments(file);
    expect(docs).toHaveLength(100);
    expect(docs.map((d) => d.text)).toEqual(texts);
    expect(docs[0].text.startsWith('Beginners BBQ Class Taking Place in Missoula!')).toBe(true);
    // index is the 0-based row, line the 1-based row (here across the row-group boundary at 40).
    expect(docs.slice(39, 42).map((d) => [d.index, d.line])).toEqual([[39, 40], [40, 41], [41, 42]]);
  });

  it('selects another column with `field`', async () => {
    const { file } = c4Parquet('c4-url.parquet');
    const urls = (await loadDocuments(file, { field: 'url' })).map((d) => d.text);
    expect(urls).toEqual(records.map((r) => r.url));
    expect(urls[0]).toBe('https://klyq.com/beginners-bbq-class-taking-place-in-missoula/');
  });

  it('detects Parquet by its magic bytes whatever the name, and by a .parquet name', async () => {
    const { bytes } = c4Parquet('named.parquet');
    const noName = join(tmp, 'c4.data');
    writeFileSync(noName, bytes);
    expect(await isParquetFile(noName)).toBe(true);
    expect(await isParquetFile(C4_SAMPLE)).toBe(false);
    expect((await loadDocuments(noName)).map((d) => d.text)).toEqual(texts);
    expect((await loadDocuments(noName, { format: 'parquet' })).length).toBe(100);
    // A .parquet name that holds something else is an error, not text read as documents.
    const fake = join(tmp, 'fake.parquet');
    writeFileSync(fake, 'just some text\n');
    const error = await errorOf(loadDocuments(fake));
    expect(error).toMatchObject({ code: 'MALFORMED_PARQUET', file: fake });
    expect(error.message).toBe(`${fake}: not a Parquet file (it does not start and end with "PAR1"; 15 bytes)`);
  });

  it.each(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD'] as const)('reads %s pages', async (codec) => {
    const { file, bytes } = c4Parquet(`c4-${codec}.parquet`, codec);
    const metadata = metadataOf(bytes);
    expect(metadata.row_groups[0].columns[0].meta_data?.codec).toBe(codec);
    expect((await loadDocuments(file)).map((d) => d.text)).toEqual(texts);
  });

  it('reads zstd pages written by the zstd command line (the committed fixture)', async () => {
    const bytes = readFileSync(ZSTD_FIXTURE);
    const metadata = metadataOf(bytes);
    expect(metadata.row_groups.map((g) => [Number(g.num_rows), g.columns[0].meta_data?.codec])).toEqual([[40, 'ZSTD'], [40, 'ZSTD'], [20, 'ZSTD']]);
    expect((await loadDocuments(ZSTD_FIXTURE)).map((d) => d.text)).toEqual(texts);
    expect((await loadDocuments(ZSTD_FIXTURE, { field: 'timestamp' }))[0].text).toBe(records[0].timestamp);
  });

  it('feeds loadCalibrationSequences like any corpus', async () => {
    const { file } = c4Parquet('calib.parquet');
    const encode = (text: string): number[] => [1, ...Buffer.from(text)];
    const fromParquet = await loadCalibrationSequences(file, encode, { samples: 10, seqLength: 64, seed: 3 });
    const fromJsonl = await loadCalibrationSequences(C4_SAMPLE, encode, { samples: 10, seqLength: 64, seed: 3 });
    expect(fromParquet.sequences).toHaveLength(10);
    expect(fromParquet.sequences).toEqual(fromJsonl.sequences);
  });
});

describe('Parquet errors name the file, the column and the row', () => {
  it('a missing column lists the columns present', async () => {
    const { file } = c4Parquet('c4-missing.parquet');
    const error = await errorOf(loadDocuments(file, { field: 'content' }));
    expect(error).toMatchObject({ code: 'MISSING_FIELD', file, field: 'content' });
    expect(error.message).toBe(
      `${file}: no column "content" in this Parquet file (columns: text, timestamp, url); choose the text column with the field option (--field)`,
    );
  });

  it('skips null and blank cells (keeping their index), refuses a non-string column at its first value', async () => {
    const file = join(tmp, 'mixed.parquet');
    writeParquet(file, [stringColumn('text', [null, 'first', '  ', null, 'second']), { name: 'id', data: [null, null, 7n, 8n, 9n], type: 'INT64', nullable: true }]);
    expect((await loadDocuments(file)).map((d) => [d.text, d.index, d.line])).toEqual([['first', 1, 2], ['second', 4, 5]]);
    const error = await errorOf(loadDocuments(file, { field: 'id' }));
    expect(error).toMatchObject({ code: 'FIELD_NOT_STRING', file, line: 3, field: 'id' });
    expect(error.message).toBe(`${file}: row 3: column "id" holds INT64 values, expected strings (a UTF8 / STRING column)`);
    const empty = join(tmp, 'all-null.parquet');
    writeParquet(empty, [stringColumn('text', [null, '', null])]);
    expect(await errorOf(loadDocuments(empty))).toMatchObject({ code: 'EMPTY_INPUT', file: empty });
  });

  it('applies maxDocumentBytes per cell and maxDecompressedBytes to the pages', async () => {
    const file = join(tmp, 'long.parquet');
    writeParquet(file, [stringColumn('text', ['0123456789', 'x'.repeat(11), 'ok'])]);
    const error = await errorOf(loadDocuments(file, { maxDocumentBytes: 10 }));
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', file, line: 2, limit: 10 });
    expect(error.message).toBe(`${file}: row 2: column "text" holds 11 bytes, more than the limit of 10 bytes (maxDocumentBytes 10)`);
    const { file: c4 } = c4Parquet('c4-bomb.parquet');
    const bomb = await errorOf(loadDocuments(c4, { maxDecompressedBytes: 50_000 }));
    expect(bomb).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', file: c4, limit: 50_000 });
    expect(bomb.message).toContain('Parquet pages expand to more than 48.8 KiB, the limit maxDecompressedBytes');
  });

  it('reads row groups one at a time: documents before a corrupt row group are delivered first', async () => {
    const { bytes } = c4Parquet('c4-whole.parquet');
    const metadata = metadataOf(bytes);
    const pageHeader = Number(metadata.row_groups[1].columns[0].meta_data?.data_page_offset);
    const broken = Buffer.from(bytes);
    broken.fill(0xff, pageHeader, pageHeader + 16);
    const file = join(tmp, 'corrupt-group.parquet');
    writeFileSync(file, broken);
    const seen: string[] = [];
    const error = await errorOf(
      (async () => {
        for await (const doc of readDocuments(file)) seen.push(doc.text);
      })(),
    );
    expect(seen).toEqual(texts.slice(0, 40));
    expect(error).toMatchObject({ code: 'MALFORMED_PARQUET', file });
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: row group 1 \\(rows 41-80\\) is unreadable: `));
    // A cut-off file and a damaged footer are refused before any document.
    const cut = join(tmp, 'cut.parquet');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    expect(await errorOf(loadDocuments(cut))).toMatchObject({ code: 'MALFORMED_PARQUET', file: cut });
    const footer = Buffer.from(bytes);
    footer.fill(0x07, footer.length - 300, footer.length - 8);
    const badFooter = join(tmp, 'bad-footer.parquet');
    writeFileSync(badFooter, footer);
    const footerError = await errorOf(loadDocuments(badFooter));
    expect(footerError).toMatchObject({ code: 'MALFORMED_PARQUET', file: badFooter });
    expect(footerError.message.startsWith(`${badFooter}: unreadable Parquet footer: `)).toBe(true);
  });

  it('refuses invalid UTF-8 naming the row, or replaces it with encodingErrors "replace"', async () => {
    const { bytes } = c4Parquet('c4-utf8.parquet', 'UNCOMPRESSED');
    const at = bytes.indexOf(Buffer.from('Beginners BBQ'));
    const broken = Buffer.from(bytes);
    broken[at] = 0xff;
    const file = join(tmp, 'bad-utf8.parquet');
    writeFileSync(file, broken);
    const error = await errorOf(loadDocuments(file));
    expect(error).toMatchObject({ code: 'INVALID_UTF8', file, line: 1, field: 'text' });
    expect(error.message).toBe(
      `${file}: row 1: column "text" is not valid UTF-8 (byte 0xff at byte 1); set encodingErrors to "replace" to read such bytes as U+FFFD`,
    );
    const docs = await loadDocuments(file, { encodingErrors: 'replace' });
    expect(docs[0].text).toBe(`\uFFFD${texts[0].slice(1)}`);
  });

  it('reads only regular files: a FIFO is refused at once', async () => {
    const fifo = join(tmp, 'pipe.parquet');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect(await errorOf(loadDocuments(fifo))).toMatchObject({ code: 'NOT_A_REGULAR_FILE', file: fifo });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
