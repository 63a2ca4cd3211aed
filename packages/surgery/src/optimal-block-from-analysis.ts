// Adapter from the similarity analysis output (analysis.json, written by
// `layerprune analyze`) to the block to drop for a given n. The similarity
// package owns the file format; this adapter is the one place that knows it,
// so a format change touches only this file. Accepted, in this order:
//   1. an explicit choice: { "optimal": [ { "n": n, "start": s, "end": e, "distance"?: d } ] }
//      (what `layerprune analyze` writes, "format": "layerprune.analysis") or
//      { "optimal": { "<n>": { "start": s, "end": e, "distance"?: d } } };
//   2. a @layerprune/similarity DistanceTable JSON ("format":
//      "layerprune.distance-table", rows[n-1].values[l] = mean d(x(l), x(l+n))),
//      at the top level or as a direct property (e.g. { "table": {...} }): the
//      block is argmin_l, ties to the shallower block, exactly as
//      DistanceTable.optimalBlock does (re-implemented: surgery does not depend
//      on similarity at run time).
// plus an optional layer count (`numLayers` or `num_layers`) checked against the model.
import { SurgeryError } from './errors.js';

export interface AnalysisBlock {
  n: number;
  start: number;
  end: number;
  /** The mean angular distance of that block, when the analysis records it. */
  distance: number | null;
  /** The layer count the analysis was run on, when recorded. */
  numLayers: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readInt(entry: Record<string, unknown>, key: string, file: string, field: string): number {
  const value = entry[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SurgeryError(
      'ANALYSIS_INVALID',
      `${file}: ${field}.${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
      { file, field: `${field}.${key}` },
    );
  }
  return value;
}

function findEntry(optimal: unknown, n: number, file: string): { entry: Record<string, unknown>; field: string } {
  if (Array.isArray(optimal)) {
    const index = optimal.findIndex((e) => isRecord(e) && e.n === n);
    if (index >= 0) return { entry: optimal[index] as Record<string, unknown>, field: `optimal[${index}]` };
    const available = optimal.filter(isRecord).map((e) => e.n);
    throw new SurgeryError(
      'ANALYSIS_N_NOT_FOUND',
      `${file}: no optimal block for n=${n} (available: ${available.join(', ') || 'none'})`,
      { file, field: 'optimal', limit: available.join(',') },
    );
  }
  if (isRecord(optimal)) {
    const entry = optimal[String(n)];
    if (isRecord(entry)) return { entry, field: `optimal.${n}` };
    const available = Object.keys(optimal);
    throw new SurgeryError(
      'ANALYSIS_N_NOT_FOUND',
      `${file}: no optimal block for n=${n} (available: ${available.join(', ') || 'none'})`,
      { file, field: 'optimal', limit: available.join(',') },
    );
  }
  throw new SurgeryError('ANALYSIS_INVALID', `${file}: field "optimal" is missing or not an object/array`, {
    file,
    field: 'optimal',
  });
}

const TABLE_FORMAT = 'layerprune.distance-table';

function findTable(analysis: Record<string, unknown>): { table: Record<string, unknown>; field: string } | null {
  if (analysis.format === TABLE_FORMAT) return { table: analysis, field: '' };
  for (const [key, value] of Object.entries(analysis)) {
    if (isRecord(value) && value.format === TABLE_FORMAT) return { table: value, field: `${key}.` };
  }
  return null;
}

function blockFromTable(table: Record<string, unknown>, prefix: string, n: number, file: string): AnalysisBlock {
  const rows = Array.isArray(table.rows) ? table.rows : [];
  const index = rows.findIndex((r) => isRecord(r) && r.n === n);
  const numLayers = typeof table.numLayers === 'number' && Number.isInteger(table.numLayers) ? table.numLayers : null;
  if (index < 0) {
    const available = rows.filter(isRecord).map((r) => r.n);
    throw new SurgeryError(
      'ANALYSIS_N_NOT_FOUND',
      `${file}: ${prefix}rows has no row for n=${n} (available: ${available.join(', ') || 'none'})`,
      { file, field: `${prefix}rows`, limit: available.join(',') },
    );
  }
  const values = (rows[index] as Record<string, unknown>).values;
  const field = `${prefix}rows[${index}].values`;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new SurgeryError('ANALYSIS_INVALID', `${file}: ${field} must be a non-empty list of finite distances`, { file, field });
  }
  if (numLayers !== null && values.length !== numLayers - n + 1) {
    throw new SurgeryError(
      'ANALYSIS_INVALID',
      `${file}: ${field} has ${values.length} entries, expected ${numLayers - n + 1} (l = 0..L-n for L=${numLayers})`,
      { file, field, limit: numLayers - n + 1 },
    );
  }
  let best = 0;
  for (let l = 1; l < values.length; l++) if ((values[l] as number) < (values[best] as number)) best = l;
  return { n, start: best, end: best + n, distance: values[best] as number, numLayers };
}

/** The optimal block of size n recorded in (or computed from) a parsed analysis.json. */
export function optimalBlockFromAnalysis(analysis: unknown, n: number, file = 'analysis.json'): AnalysisBlock {
  if (!isRecord(analysis)) {
    throw new SurgeryError('ANALYSIS_INVALID', `${file}: expected a JSON object at the top level`, { file });
  }
  if (analysis.optimal === undefined) {
    const found = findTable(analysis);
    if (found !== null) return blockFromTable(found.table, found.field, n, file);
  }
  const { entry, field } = findEntry(analysis.optimal, n, file);
  const start = readInt(entry, 'start', file, field);
  const end = readInt(entry, 'end', file, field);
  if (end - start !== n) {
    throw new SurgeryError(
      'ANALYSIS_INVALID',
      `${file}: ${field} is [${start}, ${end}), which is ${end - start} blocks, not n=${n}`,
      { file, field, limit: n },
    );
  }
  const rawDistance = entry.distance;
  const distance = typeof rawDistance === 'number' && Number.isFinite(rawDistance) ? rawDistance : null;
  const rawLayers = analysis.numLayers ?? analysis.num_layers ?? null;
  const numLayers = typeof rawLayers === 'number' && Number.isInteger(rawLayers) ? rawLayers : null;
  return { n, start, end, distance, numLayers };
}
