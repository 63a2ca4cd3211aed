// Generic line chart for the rest of the pipeline: a loss curve against step, or
// a metric against the fraction of layers dropped with one line per method and
// dashed horizontal rules for references (baseline accuracy, chance level).
import type { TopLevelSpec } from 'vega-lite';
import { FigureError, requireFinite } from './figure-error.js';
import { FIGURE_CONFIG, renderSvg } from './render-svg.js';

export interface LineSeries {
  name: string;
  points: readonly { x: number; y: number }[];
}

export interface ReferenceRule {
  y: number;
  label: string;
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  xTitle: string;
  yTitle: string;
  title?: string;
  /** Horizontal dashed rules with a label at their right end. */
  rules?: readonly ReferenceRule[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Draw a dot on each point (default: when a series has at most 60 points). */
  showPoints?: boolean;
  /** Axis label format for x, a d3-format string such as '%' or 'd'. */
  xFormat?: string;
  yFormat?: string;
  width?: number;
  height?: number;
}

const FIGURE = 'line chart';

export function lineChartSpec(options: LineChartOptions): TopLevelSpec {
  if (options.series.length === 0 || options.series.every((s) => s.points.length === 0)) {
    throw new FigureError('EMPTY_DATA', FIGURE, 'no series with points to draw');
  }
  const values = options.series.flatMap((s) =>
    s.points.map((p, i) => ({
      series: s.name,
      x: requireFinite(FIGURE, `x of point ${i} in series "${s.name}"`, p.x),
      y: requireFinite(FIGURE, `y of point ${i} in series "${s.name}"`, p.y),
    })),
  );
  const rules = (options.rules ?? []).map((r) => ({ y: requireFinite(FIGURE, `rule "${r.label}"`, r.y), label: r.label }));
  const showPoints = options.showPoints ?? options.series.every((s) => s.points.length <= 60);
  const ys = [...values.map((v) => v.y), ...rules.map((r) => r.y)];
  // 5% headroom so rules and their labels at the extremes stay inside the plot.
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const pad = (yMax - yMin || Math.abs(yMax) || 1) * 0.05;
  const yDomain = options.yDomain ?? [yMin - pad, yMax + pad];
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: options.xTitle,
    ...(options.xDomain ? { scale: { domain: options.xDomain, nice: false } } : {}),
    ...(options.xFormat ? { axis: { format: options.xFormat } } : {}),
  };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: options.yTitle,
    scale: { domain: yDomain, zero: false },
    ...(options.yFormat ? { axis: { format: options.yFormat } } : {}),
  };
  const ruleLayers = rules.length === 0
    ? []
    : [
        {
          data: { values: rules },
          mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#888' },
          encoding: { y: { field: 'y', type: 'quantitative' as const } },
        },
        {
          data: { values: rules },
          mark: { type: 'text' as const, align: 'right' as const, baseline: 'bottom' as const, dy: -2, color: '#555', x: 'width' as const },
          encoding: { y: { field: 'y', type: 'quantitative' as const }, text: { field: 'label' } },
        },
      ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 420,
    height: options.height ?? 260,
    config: FIGURE_CONFIG,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: showPoints ? { filled: true, size: 30 } : false, tooltip: true },
        encoding: {
          x,
          y,
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: options.series.map((s) => s.name), scheme: 'tableau10' },
            // Two columns of full-width labels: series names such as "similarity-optimal block, healed" must stay readable.
            legend: { orient: 'bottom', direction: 'horizontal', columns: 2, labelLimit: 320, symbolType: 'stroke' },
          },
        },
      },
      ...ruleLayers,
    ],
  } as TopLevelSpec;
}

/** The chart as an SVG document. */
export function renderLineChart(options: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(options), FIGURE);
}
