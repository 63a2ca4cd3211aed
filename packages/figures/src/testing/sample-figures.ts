// Data for tests and for looking at the figures: a distance table shaped like the
// paper's (distances grow with n, the final layer is far from everything, the
// minimum sits deep in the network).
import type { HeatmapRow } from '../distance-heatmap.js';

export function paperLikeRows(numLayers: number): HeatmapRow[] {
  const rows: HeatmapRow[] = [];
  for (let n = 1; n < numLayers; n++) {
    const values = Array.from({ length: numLayers - n + 1 }, (_, l) => {
      const includesFinal = l + n === numLayers;
      const depth = l / numLayers;
      const base = 0.08 * Math.sqrt(n) + 0.25 * (1 - depth) * (n / numLayers) + 0.05 * (1 - depth);
      return Math.min(1, includesFinal ? 0.55 + 0.3 * (n / numLayers) : base);
    });
    rows.push({ n, values });
  }
  return rows;
}
