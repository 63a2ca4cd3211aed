import { describe, expect, it } from 'vitest';
import { planRuns } from './plan-runs.js';

describe('planRuns', () => {
  it('drops the deepest n but the last for "deepest" and the argmin block for "similarity"', () => {
    const { runs } = planRuns(32, [0.25], ['similarity', 'deepest'], (n) => 20 - n);
    expect(runs).toHaveLength(2);
    const [sim, deep] = runs;
    expect(sim).toMatchObject({ id: 'similarity-n8', n: 8, start: 12, end: 20, includesFinalBlock: false });
    // [L-n-1, L-1) = [23, 31)
    expect(deep).toMatchObject({ id: 'deepest-n8', n: 8, start: 23, end: 31, fraction: 0.25 });
  });

  it('rounds fractions to whole blocks, keeps n in [1, L-1] and merges duplicates', () => {
    const { runs, notes } = planRuns(5, [0.05, 0.1, 0.4, 0.99], ['deepest'], () => 0);
    expect(runs.map((r) => r.n)).toEqual([1, 2, 4]);
    expect(runs.map((r) => [r.start, r.end])).toEqual([
      [3, 4],
      [2, 4],
      [0, 4],
    ]);
    expect(notes.some((n) => n.includes('already planned'))).toBe(true);
  });

  it('flags a similarity block that includes the final block', () => {
    const { runs } = planRuns(6, [0.5], ['similarity'], (n) => 6 - n);
    expect(runs[0]).toMatchObject({ start: 3, end: 6, includesFinalBlock: true });
  });
});
