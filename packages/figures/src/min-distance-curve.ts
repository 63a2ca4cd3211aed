// The curve of min_l d(x(l), x(l+n)) against the block size n: how much the best
// block of each size changes the residual stream. Error bars show the standard
// error of each minimum when given.
import type { TopLevelSpec } from 'vega-lite';
import { FigureError, requireFinite } from './figure-error.js';
import { FIGURE_CONFIG, renderSvg } from './render-svg.js';

export interface MinDistancePoint {
  n: number;
  distance: number;
  standardError?: number | null;
  /** First layer of the best block, shown in the tooltip. */
  start?: number;
}

export interface MinDistanceCurveOptions {
  points: readonly MinDistancePoint[];
  /** y axis title; default "min over l of angular distance". */
  metricLabel?: string;
  title?: string;
  /** y domain; default [0, 1] widened to the data. */
  domain?: [number, number];
  width?: number;
  height?: number;
}

const FIGURE = 'min-distance curve';

export function minDistanceCurveSpec(options: MinDistanceCurveOptions): TopLevelSpec {
  if (options.points.length === 0) throw new FigureError('EMPTY_DATA', FIGURE, 'no points to draw');
  const values = options.points.map((p) => {
    const distance = requireFinite(FIGURE, `distance at n=${p.n}`, p.distance);
    const se = p.standardError ?? null;
    if (se !== null) requireFinite(FIGURE, `standardError at n=${p.n}`, se);
    return {
      n: requireFinite(FIGURE, 'n', p.n),
      distance,
      low: se === null ? distance : distance - se,
      high: se === null ? distance : distance + se,
      start: p.start ?? null,
    };
  });
  const [lo, hi] = options.domain ?? [0, 1];
  const domain = [Math.min(lo, ...values.map((v) => v.low)), Math.max(hi, ...values.map((v) => v.high))];
  const yTitle = options.metricLabel ? `min over l of ${options.metricLabel}` : 'min over l of angular distance';
  const maxN = Math.max(...values.map((v) => v.n));
  const x = {
    field: 'n',
    type: 'quantitative' as const,
    title: 'block size n',
    scale: { domain: [0, maxN + 1], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const hasErrors = options.points.some((p) => p.standardError !== undefined && p.standardError !== null);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 360,
    height: options.height ?? 240,
    config: FIGURE_CONFIG,
    data: { values },
    layer: [
      ...(hasErrors
        ? [{ mark: { type: 'rule' as const, color: '#4c78a8' }, encoding: { x, y: { field: 'low', type: 'quantitative' as const }, y2: { field: 'high' } } }]
        : []),
      {
        mark: { type: 'line', point: { filled: true, size: 40 }, color: '#4c78a8', tooltip: true },
        encoding: { x, y: { field: 'distance', type: 'quantitative', title: yTitle, scale: { domain } } },
      },
    ],
  } as TopLevelSpec;
}

/** The curve as an SVG document. */
export function renderMinDistanceCurve(options: MinDistanceCurveOptions): Promise<string> {
  return renderSvg(minDistanceCurveSpec(options), FIGURE);
}
