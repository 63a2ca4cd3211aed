import { describe, expect, it } from 'vitest';
import { seededRandom, selectItems } from './select-items.js';

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

  it('the generator is uniform enough to pick items fairly', () => {
    const random = seededRandom(1);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) buckets[Math.floor(random() * 10)] += 1;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });
});
