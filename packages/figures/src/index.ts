export { FigureError } from './figure-error.js';
export type { FigureErrorCode } from './figure-error.js';
export { FIGURE_CONFIG, renderSvg } from './render-svg.js';
export { distanceHeatmapSpec, renderDistanceHeatmap } from './distance-heatmap.js';
export type { DistanceHeatmapOptions, HeatmapRow } from './distance-heatmap.js';
export { minDistanceCurveSpec, renderMinDistanceCurve } from './min-distance-curve.js';
export type { MinDistanceCurveOptions, MinDistancePoint } from './min-distance-curve.js';
export { lineChartSpec, renderLineChart } from './line-chart.js';
export type { LineChartOptions, LineSeries, ReferenceRule } from './line-chart.js';
