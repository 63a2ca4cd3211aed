// Reading speed of the corpus readers on the C4 sample (JSON Lines) and the
// TinyStories sample (text), plain vs gzip, and seeded sampling over a stream.
// Run: npm run bench -w @layerprune/data (after building).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadDocuments, readDocuments, sampleDocuments } from '../dist/index.js';

const fixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'shared', 'fixtures', 'data');
const files = {
  'c4 jsonl': join(fixtures, 'c4_sample', 'c4_en_train_first1000.jsonl'),
  'tinystories txt': join(fixtures, 'tinystories_valid', 'tinystories_val.txt'),
};
const tmp = mkdtempSync(join(tmpdir(), 'layerprune-bench-'));

async function time(fn, repeats = 5) {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await fn();
  return (performance.now() - t0) / repeats;
}

for (const [name, file] of Object.entries(files)) {
  const gz = join(tmp, `${name.replace(' ', '.')}.gz`);
  writeFileSync(gz, gzipSync(readFileSync(file)));
  const mb = statSync(file).size / 1e6;
  let count = 0;
  const plain = await time(async () => {
    count = (await loadDocuments(file)).length;
  });
  const zipped = await time(() => loadDocuments(gz));
  const sampled = await time(() => sampleDocuments(readDocuments(file), 100, { seed: 1 }));
  console.log(
    `${name.padEnd(16)} ${count} docs, ${mb.toFixed(2)} MB: plain ${plain.toFixed(0)} ms (${(mb / plain * 1000).toFixed(0)} MB/s), ` +
      `gzip ${zipped.toFixed(0)} ms (${(zipped / plain).toFixed(2)}x plain), sample 100 ${sampled.toFixed(0)} ms (${(sampled / plain).toFixed(2)}x)`,
  );
}
rmSync(tmp, { recursive: true, force: true });
