import { describe, expect, it } from 'vitest';
import { FigureError } from './figure-error.js';
import { minDistanceCurveSpec, renderMinDistanceCurve } from './min-distance-curve.js';
import { assertWellFormed, countRole, texts } from './testing/svg-structure.js';

describe('min-distance curve', () => {
  const points = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ n, distance: 0.1 * Math.sqrt(n), standardError: 0.01 * n, start: 7 - n }));

  it('draws one point per n, error bars, and titled axes', async () => {
    const svg = await renderMinDistanceCurve({ points, metricLabel: 'angular distance', title: 'best block per size' });
    assertWellFormed(svg);
    expect(countRole(svg, 'line mark')).toBe(1);
    expect(countRole(svg, 'point')).toBe(points.length);
    expect(countRole(svg, 'rule mark')).toBe(points.length);
    const all = texts(svg);
    expect(all).toContain('block size n');
    expect(all).toContain('min over l of angular distance');
    expect(all).toContain('best block per size');
  });

  it('leaves out error bars without standard errors', async () => {
    const svg = await renderMinDistanceCurve({ points: points.map(({ n, distance }) => ({ n, distance })) });
    expect(countRole(svg, 'rule mark')).toBe(0);
    expect(countRole(svg, 'point')).toBe(points.length);
  });

  it('rejects empty or non-finite data', () => {
    expect(() => minDistanceCurveSpec({ points: [] })).toThrow(FigureError);
    expect(() => minDistanceCurveSpec({ points: [{ n: 1, distance: Number.POSITIVE_INFINITY }] })).toThrow(/distance at n=1/);
  });
});
