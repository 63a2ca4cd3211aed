// Every figure of the report, rendered to SVG strings from the results alone.
import {
  renderDistanceHeatmap,
  renderLineChart,
  renderMinDistanceCurve,
  type LineSeries,
  type ReferenceRule,
} from '@layerprune/figures';
import type { MetricSpec, PrunedRun, RunResults } from './run-results.js';

export interface ReportFigure {
  /** File-name stem, e.g. "distance-heatmap". */
  id: string;
  title: string;
  caption: string;
  svg: string;
}

const METHOD_LABEL: Record<PrunedRun['method'], string> = {
  similarity: 'similarity-optimal block',
  deepest: 'deepest blocks (keep last)',
};

function metricSeries(results: RunResults, metric: MetricSpec): LineSeries[] {
  const series: LineSeries[] = [];
  for (const method of ['similarity', 'deepest'] as const) {
    const runs = results.runs.filter((r) => r.method === method).sort((a, b) => a.fraction - b.fraction);
    if (runs.length === 0) continue;
    // Both curves start at the unpruned model (fraction 0).
    const start = metric.key in results.baseline ? [{ x: 0, y: results.baseline[metric.key] }] : [];
    const before = runs.filter((r) => metric.key in r.before).map((r) => ({ x: r.fraction, y: r.before[metric.key] }));
    const after = runs
      .filter((r) => r.after !== null && metric.key in r.after)
      .map((r) => ({ x: r.fraction, y: (r.after as Record<string, number>)[metric.key] }));
    if (before.length > 0) series.push({ name: `${METHOD_LABEL[method]}, no healing`, points: [...start, ...before] });
    if (after.length > 0) series.push({ name: `${METHOD_LABEL[method]}, healed`, points: [...start, ...after] });
  }
  return series;
}

/** True when, for every n, the similarity and deepest methods removed the same blocks. */
function methodsAgree(results: RunResults): boolean {
  const byN = new Map<number, Set<string>>();
  for (const r of results.runs) {
    const set = byN.get(r.n) ?? new Set<string>();
    set.add(JSON.stringify(r.removed));
    byN.set(r.n, set);
  }
  const methods = new Set(results.runs.map((r) => r.method));
  return methods.size > 1 && [...byN.values()].every((s) => s.size === 1);
}

export async function buildReportFigures(results: RunResults): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  const { analysis } = results;
  const L = results.model.layers;
  figures.push({
    id: 'distance-heatmap',
    title: 'Angular distance between the input of block l and block l+n',
    caption: `d(x(l), x(l+n)) at the last token, averaged over ${analysis.samples} samples (${analysis.tokens} tokens). Dots mark the block to drop for each n (the argmin over l).`,
    svg: await renderDistanceHeatmap({
      rows: analysis.distances.map((values, i) => ({ n: i + 1, values })),
      metricLabel: analysis.metric === 'angular' ? 'angular distance' : analysis.metric,
    }),
  });
  figures.push({
    id: 'min-distance',
    title: 'Smallest distance for each block size',
    caption: 'min over l of d(x(l), x(l+n)) against n: how little the best block of n layers changes the residual stream.',
    svg: await renderMinDistanceCurve({
      points: analysis.optimal.map((o) => ({
        n: o.n,
        distance: o.distance,
        start: o.start,
        standardError: analysis.standardErrors?.[o.n - 1]?.[o.start] ?? null,
      })),
    }),
  });
  for (const metric of results.metrics) {
    const series = metricSeries(results, metric);
    if (series.length === 0) continue;
    const rules: ReferenceRule[] = [];
    if (metric.key in results.baseline) rules.push({ y: results.baseline[metric.key], label: 'unpruned' });
    if (metric.chance !== undefined) rules.push({ y: metric.chance, label: 'chance' });
    figures.push({
      id: `metric-${metric.key.replace(/[^a-z0-9]+/gi, '-')}`,
      title: `${metric.label} against the fraction of layers dropped`,
      caption: `${metric.label}${metric.count ? ` (${metric.count} ${metric.countUnit ?? 'items'})` : ''}; ${metric.better} is better. Model: ${L} blocks.${methodsAgree(results) ? ' Both methods chose the same blocks at every fraction, so their curves coincide.' : ''}`,
      svg: await renderLineChart({
        series,
        rules,
        xTitle: 'fraction of layers dropped',
        yTitle: metric.label,
        xFormat: '%',
        ...(metric.format === 'percent' ? { yFormat: '%' } : {}),
      }),
    });
  }
  // Methods that chose the same blocks share one healed model: draw it once.
  const healed = results.runs
    .filter((r) => r.healing !== null && r.healing.curve.length > 0)
    .filter((r, i, all) => all.findIndex((x) => JSON.stringify(x.removed) === JSON.stringify(r.removed)) === i);
  if (healed.length > 0) {
    figures.push({
      id: 'healing-loss',
      title: 'Healing: training loss against step',
      caption: 'QLoRA training loss of each pruned model (frozen 4-bit base, LoRA adapters on the MLP projections).',
      svg: await renderLineChart({
        series: healed.map((r) => ({
          name: `blocks ${r.removed.map(([s, e]) => `[${s}, ${e})`).join(' ')} dropped`,
          points: (r.healing as NonNullable<PrunedRun['healing']>).curve.map((p) => ({ x: p.step, y: p.loss })),
        })),
        xTitle: 'step',
        yTitle: 'training loss (nats/token)',
        showPoints: false,
      }),
    });
  }
  return figures;
}
