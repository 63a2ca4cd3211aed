import { describe, expect, it } from 'vitest';
import type { SurgeryError } from './errors.js';
import { optimalBlockFromAnalysis } from './optimal-block-from-analysis.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as SurgeryError).code;
  }
  return 'none';
}

describe('optimalBlockFromAnalysis', () => {
  it('reads an explicit optimal block keyed by n or listed with n', () => {
    expect(optimalBlockFromAnalysis({ optimal: { '2': { start: 3, end: 5 } } }, 2)).toEqual({
      n: 2,
      start: 3,
      end: 5,
      distance: null,
      numLayers: null,
    });
    expect(optimalBlockFromAnalysis({ num_layers: 8, optimal: [{ n: 1, start: 6, end: 7, distance: 0.2 }] }, 1)).toEqual({
      n: 1,
      start: 6,
      end: 7,
      distance: 0.2,
      numLayers: 8,
    });
  });

  it('takes argmin over a similarity distance table (ties to the shallower block)', () => {
    // L = 5: row n has L - n + 1 values (l = 0..L-n).
    const table = {
      format: 'layerprune.distance-table',
      version: 1,
      numLayers: 5,
      rows: [
        { n: 1, values: [0.5, 0.4, 0.3, 0.1, 0.9], standardErrors: [null, null, null, null, null] },
        { n: 2, values: [0.6, 0.2, 0.2, 0.8], standardErrors: [null, null, null, null] },
      ],
    };
    expect(optimalBlockFromAnalysis(table, 1)).toMatchObject({ start: 3, end: 4, distance: 0.1, numLayers: 5 });
    expect(optimalBlockFromAnalysis({ model: 'x', table }, 2)).toMatchObject({ start: 1, end: 3, distance: 0.2 });
    expect(codeOf(() => optimalBlockFromAnalysis(table, 3))).toBe('ANALYSIS_N_NOT_FOUND');
    const short = { ...table, rows: [{ n: 1, values: [0.5, 0.4], standardErrors: [] }] };
    expect(codeOf(() => optimalBlockFromAnalysis(short, 1))).toBe('ANALYSIS_INVALID');
  });

  it('refuses malformed input naming the field', () => {
    expect(codeOf(() => optimalBlockFromAnalysis([], 2))).toBe('ANALYSIS_INVALID');
    expect(codeOf(() => optimalBlockFromAnalysis({}, 2))).toBe('ANALYSIS_INVALID');
    expect(codeOf(() => optimalBlockFromAnalysis({ optimal: { '3': { start: 1, end: 4 } } }, 2))).toBe('ANALYSIS_N_NOT_FOUND');
    expect(codeOf(() => optimalBlockFromAnalysis({ optimal: { '2': { start: 1, end: 4 } } }, 2))).toBe('ANALYSIS_INVALID');
    let caught: SurgeryError | null = null;
    try {
      optimalBlockFromAnalysis({ optimal: { '2': { start: -1, end: 1 } } }, 2, 'runs/a.json');
    } catch (error) {
      caught = error as SurgeryError;
    }
    expect(caught?.field).toBe('optimal.2.start');
    expect(caught?.message).toContain('runs/a.json');
  });
});
