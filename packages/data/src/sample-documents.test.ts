import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random.js';
import { DataError } from './data-error.js';
import type { Document } from './document.js';
import { readDocuments } from './read-documents.js';
import { sampleDocuments } from './sample-documents.js';
import { C4_SAMPLE } from './testing/fixtures.js';

const docs = (count: number): Document[] => Array.from({ length: count }, (_, i) => ({ text: `doc ${i}`, index: i, line: i + 1 }));

describe('createRandom', () => {
  it('is deterministic per seed, uniform-looking, and in [0, 1)', () => {
    const a = createRandom(123);
    const b = createRandom(123);
    const c = createRandom(124);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c())).not.toEqual(xs.slice(0, 10));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // sd of the mean is 0.0029
    const deciles = new Array(10).fill(0);
    for (const x of xs) deciles[Math.floor(x * 10)] += 1;
    for (const d of deciles) expect(Math.abs(d - 1000)).toBeLessThan(150);
    expect(() => createRandom(1.5)).toThrow(DataError);
  });
});

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
