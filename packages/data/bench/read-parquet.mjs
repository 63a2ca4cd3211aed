// Reading speed and memory of the Parquet reader: the C4 sample of the test
// fixtures repeated 100 times (10,000 distinct documents, about 20 MB of text), written
// as Parquet with row groups of 1,000 rows (uncompressed, snappy, gzip) and as
// JSON Lines for comparison. Memory: the largest heap + ArrayBuffer bytes seen while
// streaming, above those before reading (the reader holds one row group of one column).
// Run: npm run bench -w @layerprune/data (after building).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readDocuments } from '../dist/index.js';

const REPEAT = 100;
const sample = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'test-fixtures', 'c4-en-train-first100.jsonl');
const lines = readFileSync(sample, 'utf8').split('\n').filter((l) => l !== '');
// Copy k of every document starts with "k:", so no two texts are equal (no dictionary encoding).
const texts = Array.from({ length: REPEAT }, (_, k) => lines.map((l) => `${k}: ${JSON.parse(l).text}`)).flat();
const tmp = mkdtempSync(join(tmpdir(), 'layerprune-bench-parquet-'));
const textMb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;

const jsonl = join(tmp, 'c4x100.jsonl');
writeFileSync(jsonl, texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
const files = { jsonl };
for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP']) {
  const file = join(tmp, `c4x100-${codec.toLowerCase()}.parquet`);
  const columnData = [{ name: 'text', data: texts, type: 'STRING' }];
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, codec, compressors: { GZIP: (b) => gzipSync(b) }, rowGroupSize: 1000 })));
  files[`parquet ${codec.toLowerCase()}`] = file;
}

async function stream(file) {
  globalThis.gc?.();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const base = used();
  let peak = 0;
  let count = 0;
  const t0 = performance.now();
  for await (const doc of readDocuments(file)) {
    count += doc.text.length > 0 ? 1 : 0;
    if (count % 250 === 0) peak = Math.max(peak, used() - base);
  }
  return { ms: performance.now() - t0, count, peak };
}

console.log(`${texts.length} documents, ${textMb.toFixed(1)} MB of text`);
for (const [name, file] of Object.entries(files)) {
  await stream(file); // warm-up
  const runs = [await stream(file), await stream(file), await stream(file)];
  const ms = Math.min(...runs.map((r) => r.ms));
  const peak = Math.max(...runs.map((r) => r.peak));
  console.log(
    `${name.padEnd(22)} ${(statSync(file).size / 1e6).toFixed(1).padStart(5)} MB on disk: ${ms.toFixed(0).padStart(5)} ms, ` +
      `${(textMb / ms * 1000).toFixed(0)} MB/s of text, ${(texts.length / ms * 1000).toFixed(0)} docs/s, memory peak +${(peak / 1e6).toFixed(0)} MB (${runs[0].count} docs)`,
  );
}
rmSync(tmp, { recursive: true, force: true });
