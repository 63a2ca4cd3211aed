// Number formatting shared by the HTML and Markdown renderings, so both show the
// same figures.
import type { MetricSpec } from './run-results.js';

export function formatMetric(value: number | undefined, metric: MetricSpec): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return metric.format === 'percent' ? `${(value * 100).toFixed(1)}%` : value.toFixed(4);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(2)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)}K`;
  return String(count);
}

export function formatRanges(ranges: [number, number][]): string {
  return ranges.map(([s, e]) => (e - s === 1 ? `${s}` : `[${s}, ${e})`)).join(', ');
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}
