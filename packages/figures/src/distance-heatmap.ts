// The paper's Figure 1 (right) style heatmap: distance d(x(l), x(l+n)) with the
// first layer l on x, the block size n on y (n = 1 at the bottom) and colour for
// the distance, plus a marker on the argmin of each row (the block to drop).
import type { TopLevelSpec } from 'vega-lite';
import { FigureError, requireFinite } from './figure-error.js';
import { FIGURE_CONFIG, renderSvg } from './render-svg.js';

export interface HeatmapRow {
  n: number;
  /** values[l] = d(x(l), x(l+n)) for l = 0..L-n. */
  values: ArrayLike<number>;
}

export interface DistanceHeatmapOptions {
  rows: readonly HeatmapRow[];
  /** Colour legend title; default "angular distance". */
  metricLabel?: string;
  title?: string;
  /**
   * Colour scale domain, widened to the data when values fall outside. Default
   * [0, max d]: the full colour range for this table, as the paper rescales its
   * heatmaps; pass [0, 1] to compare figures of different models.
   */
  domain?: [number, number];
  /** Mark argmin_l of each row (default true). */
  markMinimum?: boolean;
  width?: number;
  height?: number;
}

const FIGURE = 'distance heatmap';

/** Every k-th tick so that at most ~20 labels fit on an axis. */
function tickValues(max: number): number[] {
  const step = Math.max(1, Math.ceil((max + 1) / 20));
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  return ticks;
}

export function distanceHeatmapSpec(options: DistanceHeatmapOptions): TopLevelSpec {
  if (options.rows.length === 0) throw new FigureError('EMPTY_DATA', FIGURE, 'no rows to draw');
  const label = options.metricLabel ?? 'angular distance';
  const cells: { l: number; n: number; d: number }[] = [];
  const minima: { l: number; n: number; d: number }[] = [];
  for (const row of options.rows) {
    requireFinite(FIGURE, 'n', row.n);
    if (row.values.length === 0) throw new FigureError('EMPTY_DATA', FIGURE, `row n=${row.n} has no values`, { field: 'values' });
    let best = 0;
    for (let l = 0; l < row.values.length; l++) {
      const d = requireFinite(FIGURE, `values[${l}] of row n=${row.n}`, row.values[l]);
      cells.push({ l, n: row.n, d });
      if (d < row.values[best]) best = l;
    }
    minima.push({ l: best, n: row.n, d: row.values[best] });
  }
  const maxL = Math.max(...cells.map((c) => c.l));
  const maxN = Math.max(...cells.map((c) => c.n));
  const [lo, hi] = options.domain ?? [0, 0];
  const domain = [Math.min(lo, ...cells.map((c) => c.d)), Math.max(hi, ...cells.map((c) => c.d))];
  const ls = Array.from({ length: maxL + 1 }, (_, i) => i);
  const ns = Array.from(new Set(options.rows.map((r) => r.n))).sort((a, b) => a - b);
  const width = options.width ?? Math.min(640, Math.max(240, 16 * ls.length));
  const height = options.height ?? Math.min(480, Math.max(180, 16 * ns.length));
  const x = {
    field: 'l',
    type: 'ordinal' as const,
    title: 'first layer l',
    scale: { domain: ls },
    axis: { values: tickValues(maxL), labelAngle: 0 },
  };
  const y = {
    field: 'n',
    type: 'ordinal' as const,
    title: 'block size n',
    scale: { domain: [...ns].reverse() },
    axis: { values: tickValues(maxN).filter((v) => ns.includes(v)) },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    config: FIGURE_CONFIG,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', tooltip: true },
        encoding: {
          x,
          y,
          color: {
            field: 'd',
            type: 'quantitative',
            title: label,
            scale: { scheme: 'viridis', domain },
            legend: { gradientLength: Math.max(100, height - 20), format: '.2f' },
          },
        },
      },
      ...(options.markMinimum === false
        ? []
        : [
            {
              data: { values: minima },
              mark: { type: 'point' as const, shape: 'diamond', filled: false, color: '#ff3b30', strokeWidth: 2, size: 60 },
              encoding: { x, y },
            },
          ]),
    ],
  } as TopLevelSpec;
}

/** The heatmap as an SVG document. */
export function renderDistanceHeatmap(options: DistanceHeatmapOptions): Promise<string> {
  return renderSvg(distanceHeatmapSpec(options), FIGURE);
}
