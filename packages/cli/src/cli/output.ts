// Human-readable output helpers: aligned tables, byte sizes and counts.
import { escapeTerminal } from './escape-terminal.js';

export interface TableOptions {
  /** Columns to right-align (numbers). Defaults to columns whose cells all look numeric. */
  alignRight?: number[];
}

/**
 * Formats rows as an aligned plain-text table with a header rule. Cells often
 * hold names read from files (tensors, subjects, paths): each is escaped, line
 * breaks included, so one cell stays one cell and nothing reaches the terminal raw.
 */
export function formatTable(headers: string[], rows: (string | number)[][], options: TableOptions = {}): string {
  const heads = headers.map((h) => escapeTerminal(h));
  const cells = rows.map((row) => row.map((cell) => escapeTerminal(String(cell))));
  const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const numeric = (i: number): boolean =>
    options.alignRight?.includes(i) ??
    (cells.length > 0 && cells.every((row) => /^[-+]?[\d.,]+(e[-+]?\d+)?\s*[%a-zA-Z/]*$/.test(row[i] ?? '')));
  const pad = (text: string, i: number): string =>
    numeric(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const lines = [
    heads.map((h, i) => pad(h, i)).join('  ').trimEnd(),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((row) => heads.map((_, i) => pad(row[i] ?? '', i)).join('  ').trimEnd()),
  ];
  return lines.join('\n');
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** 1234567 -> "1.23M". */
export function formatCount(count: number): string {
  if (Math.abs(count) >= 1e9) return `${(count / 1e9).toFixed(2)}B`;
  if (Math.abs(count) >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  if (Math.abs(count) >= 1e4) return `${(count / 1e3).toFixed(1)}K`;
  return String(count);
}

/** Fixed number of significant decimals without trailing noise: 0.123456 -> "0.1235". */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toExponential(2);
  return value.toFixed(digits);
}
