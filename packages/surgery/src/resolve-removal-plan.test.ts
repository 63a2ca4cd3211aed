import { describe, expect, it } from 'vitest';
import { SurgeryError } from './errors.js';
import { resolveRemovalPlan } from './resolve-removal-plan.js';
import type { RemovalSpec } from './removal-plan.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SurgeryError);
    return (error as SurgeryError).code;
  }
  throw new Error('expected a SurgeryError');
}

/** Independent expectation: indices 0..L-1 minus a removal predicate. */
function keptBy(L: number, removed: (l: number) => boolean): number[] {
  return Array.from({ length: L }, (_, l) => l).filter((l) => !removed(l));
}

describe('resolveRemovalPlan', () => {
  it('drops one half-open block and renumbers the rest contiguously', () => {
    const plan = resolveRemovalPlan({ kind: 'drop-block', start: 3, end: 6 }, 10);
    expect(plan.kept).toEqual(keptBy(10, (l) => l >= 3 && l < 6));
    expect(plan.removed).toEqual([3, 4, 5]);
    expect(plan.removedBlocks).toEqual([[3, 6]]);
    expect(plan.oldToNew).toEqual([0, 1, 2, null, null, null, 3, 4, 5, 6]);
    expect(plan.numLayersAfter).toBe(7);
    expect(plan.warnings).toEqual([]);
  });

  it('drops a set of blocks and individual layers', () => {
    const blocks = resolveRemovalPlan({ kind: 'drop-blocks', blocks: [[6, 8], [1, 3]] }, 10);
    expect(blocks.kept).toEqual(keptBy(10, (l) => (l >= 1 && l < 3) || (l >= 6 && l < 8)));
    expect(blocks.removedBlocks).toEqual([[1, 3], [6, 8]]);
    const layers = resolveRemovalPlan({ kind: 'drop-layers', layers: [7, 3, 4] }, 10);
    expect(layers.removed).toEqual([3, 4, 7]);
    expect(layers.removedBlocks).toEqual([[3, 5], [7, 8]]);
    expect(layers.kept.map((old) => layers.oldToNew[old])).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('keeps mergekit-style slices', () => {
    const plan = resolveRemovalPlan({ kind: 'keep-slices', slices: [[0, 21], [29, 32]] }, 32);
    expect(plan.kept).toEqual(keptBy(32, (l) => l >= 21 && l < 29));
    expect(plan.removedBlocks).toEqual([[21, 29]]);
    expect(plan.numLayersAfter).toBe(24);
  });

  it('applies the simple rule [L-n-1, L-1) and keeps the final block', () => {
    const plan = resolveRemovalPlan({ kind: 'drop-deepest', n: 4 }, 32);
    expect(plan.removedBlocks).toEqual([[27, 31]]);
    expect(plan.kept[plan.kept.length - 1]).toBe(31);
    expect(resolveRemovalPlan({ kind: 'drop-deepest', n: 31 }, 32).kept).toEqual([31]);
  });

  it('takes the optimal block for n from an analysis', () => {
    const analysis = { numLayers: 12, optimal: { '3': { start: 7, end: 10, distance: 0.12 } } };
    const plan = resolveRemovalPlan({ kind: 'from-analysis', analysis, n: 3, file: 'a.json' }, 12);
    expect(plan.removedBlocks).toEqual([[7, 10]]);
    expect(plan.spec).toEqual({ kind: 'from-analysis', n: 3, file: 'a.json', start: 7, end: 10, distance: 0.12 });
    expect(codeOf(() => resolveRemovalPlan({ kind: 'from-analysis', analysis, n: 3 }, 16))).toBe('ANALYSIS_MISMATCH');
  });

  it('refuses removing all blocks, empty and out-of-bounds ranges, overlaps and duplicates', () => {
    const cases: Array<[RemovalSpec, string]> = [
      [{ kind: 'drop-block', start: 0, end: 8 }, 'PLAN_REMOVES_ALL'],
      [{ kind: 'keep-slices', slices: [[0, 8]] }, 'PLAN_REMOVES_NOTHING'],
      [{ kind: 'drop-block', start: 4, end: 4 }, 'PLAN_EMPTY_RANGE'],
      [{ kind: 'drop-block', start: 5, end: 3 }, 'PLAN_EMPTY_RANGE'],
      [{ kind: 'drop-block', start: 5, end: 9 }, 'PLAN_OUT_OF_BOUNDS'],
      [{ kind: 'drop-layers', layers: [8] }, 'PLAN_OUT_OF_BOUNDS'],
      [{ kind: 'drop-layers', layers: [2, 3, 2] }, 'PLAN_DUPLICATE_LAYER'],
      [{ kind: 'drop-blocks', blocks: [[1, 4], [3, 5]] }, 'PLAN_OVERLAP'],
      [{ kind: 'keep-slices', slices: [[0, 4], [3, 8]] }, 'PLAN_OVERLAP'],
      [{ kind: 'keep-slices', slices: [[4, 8], [0, 2]] }, 'PLAN_INVALID'],
      [{ kind: 'drop-deepest', n: 0 }, 'PLAN_EMPTY_RANGE'],
      [{ kind: 'drop-deepest', n: 8 }, 'PLAN_OUT_OF_BOUNDS'],
      [{ kind: 'drop-block', start: 1.5, end: 3 }, 'PLAN_INVALID'],
      [{ kind: 'drop-layers', layers: [] }, 'PLAN_INVALID'],
      [{ kind: 'shuffle' } as unknown as RemovalSpec, 'PLAN_INVALID'],
    ];
    for (const [spec, code] of cases) expect([spec, codeOf(() => resolveRemovalPlan(spec, 8))]).toEqual([spec, code]);
  });

  it('needs allowFinalBlock to drop the final block, and then warns', () => {
    const spec: RemovalSpec = { kind: 'drop-block', start: 6, end: 8 };
    expect(codeOf(() => resolveRemovalPlan(spec, 8))).toBe('FINAL_BLOCK_REQUIRES_FLAG');
    const plan = resolveRemovalPlan(spec, 8, { allowFinalBlock: true });
    expect(plan.kept).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toContain('final block (layer 7)');
  });

  it('names the field and limit in its messages', () => {
    try {
      resolveRemovalPlan({ kind: 'drop-blocks', blocks: [[0, 2], [4, 40]] }, 32);
    } catch (error) {
      expect((error as SurgeryError).field).toBe('drop-blocks[1]');
      expect((error as SurgeryError).limit).toBe(32);
      expect((error as Error).message).toContain('[4, 40)');
      return;
    }
    throw new Error('expected a refusal');
  });
});
