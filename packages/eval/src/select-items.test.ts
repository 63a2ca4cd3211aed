import { describe, expect, it } from 'vitest';
import { createRandom } from '@layerprune/data';
import { selectItems } from './select-items.js';

describe('selectItems', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);

  it('takes the first N in file order, or everything without a limit', () => {
    expect(selectItems(items, { limit: 3 })).toEqual([0, 1, 2]);
    expect(selectItems(items, {})).toEqual(items);
    expect(selectItems(items, { limit: 500 })).toEqual(items);
  });

  it('draws a seeded sample without replacement, kept in file order, repeatable', () => {
    const a = selectItems(items, { limit: 10, sample: true, seed: 42 });
    expect(a).toEqual(selectItems(items, { limit: 10, sample: true, seed: 42 }));
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a).not.toEqual(selectItems(items, { limit: 10, sample: true, seed: 43 }));
  });

  it('draws with @layerprune/data\'s createRandom (mulberry32): the recorded picks of seed 1234', () => {
    // Partial Fisher-Yates by hand with mulberry32(1234)'s first three numbers (0.0732949..., 0.7034119..., 0.9028560...,
    // from a separate Python transcription): 0 + floor(0.0733 * 100) = 7, 1 + floor(0.7034 * 99) = 70, 2 + floor(0.9029 * 98) = 90.
    expect(selectItems(items, { limit: 3, sample: true })).toEqual([7, 70, 90]);
  });

  it('the generator is uniform enough to pick items fairly', () => {
    const random = createRandom(1);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) buckets[Math.floor(random() * 10)] += 1;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
