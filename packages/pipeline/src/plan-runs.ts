// Which pruned models a run builds: for each fraction of blocks to drop and each
// method, the half-open range of blocks to remove. Pure, so it is tested alone.
import type { PruneMethod } from './pipeline-config.js';

export interface PlannedRun {
  id: string;
  method: PruneMethod;
  /** The fraction asked for; `n / numLayers` is what is actually dropped. */
  requestedFraction: number;
  fraction: number;
  n: number;
  start: number;
  end: number;
  /** The range includes the final block (only the similarity method can choose it). */
  includesFinalBlock: boolean;
}

export interface PlanRunsResult {
  runs: PlannedRun[];
  /** Fractions that were skipped or merged, with the reason, for the log. */
  notes: string[];
}

/**
 * n = round(fraction * L), kept within [1, L - 1] (at least one block goes, at
 * least one stays); fractions that round to an n already planned are merged.
 * `optimalStart(n)` is argmin_l d(x(l), x(l+n)) from the analysis.
 */
export function planRuns(
  numLayers: number,
  fractions: readonly number[],
  methods: readonly PruneMethod[],
  optimalStart: (n: number) => number,
): PlanRunsResult {
  const notes: string[] = [];
  const seen = new Set<number>();
  const sizes: { n: number; requested: number }[] = [];
  for (const fraction of fractions) {
    const n = Math.min(numLayers - 1, Math.max(1, Math.round(fraction * numLayers)));
    if (seen.has(n)) {
      notes.push(`fraction ${fraction} gives n = ${n} blocks of ${numLayers}, already planned; skipped`);
      continue;
    }
    if (n !== fraction * numLayers) notes.push(`fraction ${fraction} of ${numLayers} blocks rounds to n = ${n} (${(n / numLayers).toFixed(3)})`);
    seen.add(n);
    sizes.push({ n, requested: fraction });
  }
  const runs: PlannedRun[] = [];
  for (const { n, requested } of sizes) {
    for (const method of methods) {
      // The paper's simple rule: the deepest n blocks except the final one, [L-n-1, L-1).
      const start = method === 'similarity' ? optimalStart(n) : numLayers - n - 1;
      runs.push({
        id: `${method}-n${n}`,
        method,
        requestedFraction: requested,
        fraction: n / numLayers,
        n,
        start,
        end: start + n,
        includesFinalBlock: start + n === numLayers,
      });
    }
  }
  return { runs, notes };
}
