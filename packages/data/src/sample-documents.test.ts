import { describe, expect, it } from 'vitest';
import { DataError } from './data-error.js';
import type { Document } from './document.js';
import { readDocuments } from './read-documents.js';
import { sampleDocuments } from './sample-documents.js';
import { C4_SAMPLE } from './testing/fixtures.js';

const docs = (count: number): Document[] => Array.from({ length: count }, (_, i) => ({ text: `doc ${i}`, index: i, line: i + 1 }));

describe('sampleDocuments', () => {
  it('returns the same documents for the same seed, in file order, on a real file', async () => {
    const first = await sampleDocuments(readDocuments(C4_SAMPLE), 50, { seed: 7 });
    const again = await sampleDocuments(readDocuments(C4_SAMPLE), 50, { seed: 7 });
    const other = await sampleDocuments(readDocuments(C4_SAMPLE), 50, { seed: 8 });
    expect(first).toHaveLength(50);
    expect(again).toEqual(first);
    expect(other.map((d) => d.index)).not.toEqual(first.map((d) => d.index));
    const indices = first.map((d) => d.index);
    expect(indices).toEqual([...indices].sort((x, y) => x - y));
    expect(new Set(indices).size).toBe(50);
  });

  it('samples every document with equal probability (10 of 100, 3000 draws)', async () => {
    const counts = new Array(100).fill(0);
    for (let seed = 0; seed < 3000; seed++) {
      for (const d of await sampleDocuments(docs(100), 10, { seed })) counts[d.index] += 1;
    }
    // Expected 300 per document, binomial sd ~16.4: allow 5 sd.
    for (const c of counts) expect(Math.abs(c - 300)).toBeLessThan(82);
  });

  it('returns everything when asked for more than there is, and rejects 0', async () => {
    expect(await sampleDocuments(docs(5), 10)).toEqual(docs(5));
    await expect(sampleDocuments(docs(5), 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'samples' });
    await expect(sampleDocuments(docs(5), 2.5)).rejects.toThrow(DataError);
  });
});
