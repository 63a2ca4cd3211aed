#!/usr/bin/env node
// Builds test-fixtures/c4-en-train-first100.zstd.parquet: the C4 sample of
// test-fixtures/c4-en-train-first100.jsonl as a Parquet file laid out like the
// Hugging Face allenai/c4 files (string columns text, timestamp, url), its pages
// compressed with the real zstd (the `zstd` command line, level 3), in 3 row
// groups (40 + 40 + 20 rows). The tests read it to check the ZSTD path on
// entropy-coded pages; the other codecs they write at test time.
// Run by hand from the repository root (needs `zstd` on PATH and the devDependency
// hyparquet-writer):
//
//   node packages/data/scripts/make-zstd-parquet-fixture.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures');
const records = readFileSync(join(fixtures, 'c4-en-train-first100.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line));
const column = (name) => ({ name, data: records.map((r) => r[name]), type: 'STRING' });
const zstd = (input) => new Uint8Array(execFileSync('zstd', ['-3', '-q', '-c', '--no-check'], { input }));
const bytes = parquetWriteBuffer({
  columnData: [column('text'), column('timestamp'), column('url')],
  codec: 'ZSTD',
  compressors: { ZSTD: zstd },
  rowGroupSize: 40,
});
const out = join(fixtures, 'c4-en-train-first100.zstd.parquet');
writeFileSync(out, new Uint8Array(bytes));
console.log(`${out}: ${bytes.byteLength} bytes, ${records.length} rows`);
