import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from './data-error.js';
import { loadCalibrationSequences } from './load-calibration-sequences.js';
import { loadDocuments } from './read-documents.js';
import { C4_SAMPLE } from './testing/fixtures.js';

// A byte-level stand-in tokenizer with BOS = 1.
const encode = (text: string): number[] => [1, ...Array.from(Buffer.from(text, 'utf8'), (b) => b + 3)];
const tmp = mkdtempSync(join(tmpdir(), 'layerprune-calib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadCalibrationSequences', () => {
  it('samples, tokenizes and truncates deterministically', async () => {
    const options = { samples: 64, seqLength: 100, seed: 3 };
    const a = await loadCalibrationSequences(C4_SAMPLE, encode, options);
    const b = await loadCalibrationSequences(C4_SAMPLE, encode, options);
    expect(b).toEqual(a);
    expect(a.sequences).toHaveLength(64);
    expect(a.sampled).toBe(64);
    const all = await loadDocuments(C4_SAMPLE);
    for (const d of a.documents) expect(d.tokens).toEqual(encode(all[d.index].text).slice(0, 100));
    expect(a.truncated).toBe(a.documents.filter((d) => encode(all[d.index].text).length > 100).length);
    expect(a.tokens).toBe(a.sequences.reduce((s, q) => s + q.length, 0));
    expect(a.sequences.every((s) => s.length <= 100 && s.length >= 2)).toBe(true);
  });

  it('rejects 0 samples, bad lengths and data with no usable document', async () => {
    await expect(loadCalibrationSequences(C4_SAMPLE, encode, { samples: 0, seqLength: 10 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(loadCalibrationSequences(C4_SAMPLE, encode, { samples: 5, seqLength: 0 })).rejects.toThrow(DataError);
    const short = join(tmp, 'short.txt');
    writeFileSync(short, 'a\n\nb\n');
    await expect(loadCalibrationSequences(short, () => [1], { samples: 5, seqLength: 10 })).rejects.toMatchObject({
      code: 'EMPTY_INPUT',
    });
    const empty = join(tmp, 'empty.txt');
    writeFileSync(empty, '');
    await expect(loadCalibrationSequences(empty, encode, { samples: 5, seqLength: 10 })).rejects.toMatchObject({ code: 'EMPTY_INPUT', file: empty });
  });

  it('passes the read limits to the reader', async () => {
    const latin1 = join(tmp, 'latin1.txt');
    writeFileSync(latin1, Buffer.concat([Buffer.from('first story\n\nna'), Buffer.from([0xef]), Buffer.from('ve second story\n')]));
    await expect(loadCalibrationSequences(latin1, encode, { samples: 5, seqLength: 10 })).rejects.toMatchObject({ code: 'INVALID_UTF8', line: 3 });
    const replaced = await loadCalibrationSequences(latin1, encode, { samples: 5, seqLength: 100, encodingErrors: 'replace' });
    expect(replaced.sequences[1]).toEqual(encode('na\uFFFDve second story'));
    await expect(loadCalibrationSequences(C4_SAMPLE, encode, { samples: 5, seqLength: 10, maxDocumentBytes: 256 })).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_LARGE',
      limit: 256,
    });
  });
});
