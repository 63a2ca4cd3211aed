// Adapter from the similarity analysis output (analysis.json, written by
// `layerprune analyze`) to the block to drop for a given n. The similarity
// package owns the file format; this adapter is the one place that knows it,
// so a format change touches only this file. Accepted shapes of `optimal`:
//   { "optimal": { "<n>": { "start": s, "end": e, "distance"?: d } } }
//   { "optimal": [ { "n": n, "start": s, "end": e, "distance"?: d } ] }
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

/** The optimal block of size n recorded in a parsed analysis.json. */
export function optimalBlockFromAnalysis(analysis: unknown, n: number, file = 'analysis.json'): AnalysisBlock {
  if (!isRecord(analysis)) {
    throw new SurgeryError('ANALYSIS_INVALID', `${file}: expected a JSON object at the top level`, { file });
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
