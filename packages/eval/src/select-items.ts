// `--limit N`: the first N items in file order (what lm-evaluation-harness does),
// or N items drawn without replacement by a seeded generator and kept in file
// order, so a run can be repeated exactly. The generator is @layerprune/data's
// createRandom (mulberry32), the one that samples calibration documents.
import { createRandom } from '@layerprune/data';

export interface SelectOptions {
  /** Keep at most this many items. */
  limit?: number;
  /** Draw the items at random (seeded) instead of taking the first ones. */
  sample?: boolean;
  /** Seed of the draw. Default 1234 (the harness's default seed). */
  seed?: number;
}

export const DEFAULT_SEED = 1234;

export function selectItems<T>(items: readonly T[], options: SelectOptions = {}): T[] {
  const limit = options.limit;
  if (limit === undefined || limit >= items.length) return [...items];
  const n = Math.max(0, Math.floor(limit));
  if (!options.sample) return items.slice(0, n);
  const random = createRandom(options.seed ?? DEFAULT_SEED);
  const indices = items.map((_, i) => i);
  // Partial Fisher-Yates: the first n slots end up a uniform sample.
  for (let i = 0; i < n; i += 1) {
    const j = i + Math.floor(random() * (indices.length - i));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
