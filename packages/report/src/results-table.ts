// The report's main table as rows of strings: one row for the unpruned model, then
// one per pruned run; each metric shows "before → healed".
import { formatBytes, formatCount, formatMetric, formatRanges, formatSeconds } from './format-values.js';
import type { RunResults } from './run-results.js';

export interface ResultsTable {
  headers: string[];
  rows: string[][];
}

export function buildResultsTable(results: RunResults): ResultsTable {
  const headers = [
    'model',
    'dropped',
    'blocks kept',
    'parameters',
    'size',
    ...results.metrics.map((m) => `${m.label} ${m.better === 'lower' ? '↓' : '↑'}`),
    'healing time',
  ];
  const rows: string[][] = [
    [
      'unpruned',
      '–',
      String(results.model.layers),
      formatCount(results.model.parameters),
      formatBytes(results.model.bytes),
      ...results.metrics.map((m) => formatMetric(results.baseline[m.key], m)),
      '–',
    ],
  ];
  const runs = [...results.runs].sort((a, b) => a.fraction - b.fraction || a.method.localeCompare(b.method));
  for (const run of runs) {
    rows.push([
      `${run.method}, n=${run.n} (${Math.round(run.fraction * 100)}%)`,
      formatRanges(run.removed),
      String(run.layersKept),
      formatCount(run.parameters),
      formatBytes(run.bytes),
      ...results.metrics.map((m) => {
        const before = formatMetric(run.before[m.key], m);
        return run.after ? `${before} → ${formatMetric(run.after[m.key], m)}` : before;
      }),
      run.healing ? formatSeconds(run.healing.seconds) : '–',
    ]);
  }
  return { headers, rows };
}
