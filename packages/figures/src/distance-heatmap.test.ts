import { describe, expect, it } from 'vitest';
import { distanceHeatmapSpec, renderDistanceHeatmap } from './distance-heatmap.js';
import { FigureError } from './figure-error.js';
import { paperLikeRows } from './testing/sample-figures.js';
import { assertWellFormed, countRole, texts } from './testing/svg-structure.js';

describe('distance heatmap', () => {
  const L = 12;
  const rows = paperLikeRows(L);

  it('renders one rect per cell, an argmin marker per row, titled axes and a colour legend', async () => {
    const svg = await renderDistanceHeatmap({ rows, title: 'stories260K', metricLabel: 'angular distance' });
    assertWellFormed(svg);
    const cells = rows.reduce((s, r) => s + r.values.length, 0);
    expect(cells).toBe(((L + 1) * L) / 2 - 1); // sum over n = 1..L-1 of (L - n + 1)
    expect(countRole(svg, 'rect mark')).toBe(cells);
    expect(countRole(svg, 'point')).toBe(L - 1);
    expect(countRole(svg, 'legend')).toBe(1);
    expect(svg).toContain('role-legend-gradient');
    const all = texts(svg);
    for (const title of ['first layer l', 'block size n', 'angular distance', 'stories260K']) expect(all).toContain(title);
  });

  it('puts the argmin marker on the smallest value of each row', () => {
    const spec = distanceHeatmapSpec({ rows }) as unknown as { layer: { data: { values: { l: number; n: number }[] } }[] };
    const minima = spec.layer[1].data.values;
    for (const { l, n } of minima) {
      const values = Array.from(rows[n - 1].values);
      expect(values[l]).toBe(Math.min(...values));
    }
  });

  it('omits the marker on request; the colour domain is [0, max] unless given', async () => {
    const svg = await renderDistanceHeatmap({ rows: [{ n: 1, values: [0.2, 1.4] }], markMinimum: false, metricLabel: 'cosine distance' });
    expect(countRole(svg, 'point')).toBe(0);
    const spec = distanceHeatmapSpec({ rows: [{ n: 1, values: [0.2, 1.4] }] }) as unknown as {
      layer: { encoding: { color?: { scale: { domain: number[] } } } }[];
    };
    expect(spec.layer[0].encoding.color?.scale.domain).toEqual([0, 1.4]);
    const fixed = distanceHeatmapSpec({ rows: [{ n: 1, values: [0.2, 0.4] }], domain: [0, 1] }) as unknown as typeof spec;
    expect(fixed.layer[0].encoding.color?.scale.domain).toEqual([0, 1]);
    expect(texts(svg)).toContain('cosine distance');
  });

  it('is deterministic, with ids that resolve and differ between figures', async () => {
    const svg = await renderDistanceHeatmap({ rows });
    expect(await renderDistanceHeatmap({ rows })).toBe(svg);
    const ids = Array.from(svg.matchAll(/ id="([^"]+)"/g), (m) => m[1]);
    const refs = Array.from(svg.matchAll(/url\(#([^)]+)\)/g), (m) => m[1]);
    expect(refs.length).toBeGreaterThan(0); // the colour legend's gradient
    for (const ref of refs) expect(ids).toContain(ref);
    const other = await renderDistanceHeatmap({ rows: paperLikeRows(6) });
    const otherIds = Array.from(other.matchAll(/ id="([^"]+)"/g), (m) => m[1]);
    for (const id of otherIds) expect(ids).not.toContain(id);
  });

  it('rejects empty or non-finite data with a FigureError', () => {
    expect(() => distanceHeatmapSpec({ rows: [] })).toThrow(FigureError);
    expect(() => distanceHeatmapSpec({ rows: [{ n: 1, values: [] }] })).toThrow(/row n=1 has no values/);
    expect(() => distanceHeatmapSpec({ rows: [{ n: 1, values: [0.1, Number.NaN] }] })).toThrow(/values\[1\] of row n=1/);
  });
});
