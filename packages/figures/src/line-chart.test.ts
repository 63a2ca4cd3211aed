import { describe, expect, it } from 'vitest';
import { FigureError } from './figure-error.js';
import { lineChartSpec, renderLineChart } from './line-chart.js';
import { assertWellFormed, countRole, texts } from './testing/svg-structure.js';

describe('line chart', () => {
  it('draws a loss curve against step', async () => {
    const points = Array.from({ length: 200 }, (_, step) => ({ x: step, y: 3 * Math.exp(-step / 50) + 1 }));
    const svg = await renderLineChart({ series: [{ name: 'train loss', points }], xTitle: 'step', yTitle: 'loss' });
    assertWellFormed(svg);
    expect(countRole(svg, 'line mark')).toBe(1);
    expect(countRole(svg, 'point')).toBe(0); // > 60 points: no dots
    expect(texts(svg)).toEqual(expect.arrayContaining(['step', 'loss', 'train loss']));
  });

  it('draws several series with a legend and labelled reference rules', async () => {
    const fractions = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    const svg = await renderLineChart({
      series: [
        { name: 'similarity', points: fractions.map((x) => ({ x, y: 0.6 - x * x })) },
        { name: 'simple rule', points: fractions.map((x) => ({ x, y: 0.6 - 1.4 * x * x })) },
        { name: 'healed', points: fractions.map((x) => ({ x, y: 0.6 - 0.5 * x * x })) },
      ],
      xTitle: 'fraction of layers dropped',
      yTitle: 'MMLU accuracy',
      xFormat: '%',
      rules: [
        { y: 0.25, label: 'chance' },
        { y: 0.6, label: 'baseline' },
      ],
    });
    assertWellFormed(svg);
    expect(countRole(svg, 'line mark')).toBe(3);
    expect(countRole(svg, 'point')).toBe(3 * fractions.length);
    expect(countRole(svg, 'rule mark')).toBe(2);
    expect(countRole(svg, 'legend')).toBe(1);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['fraction of layers dropped', 'MMLU accuracy', 'similarity', 'simple rule', 'healed', 'chance', 'baseline', '50%']),
    );
  });

  it('keeps rules inside the y domain with headroom', () => {
    const spec = lineChartSpec({
      series: [{ name: 'a', points: [{ x: 0, y: 0.5 }, { x: 1, y: 0.7 }] }],
      xTitle: 'x',
      yTitle: 'y',
      rules: [{ y: 0.25, label: 'chance' }],
    }) as unknown as { layer: { encoding: { y: { scale?: { domain: number[] } } } }[] };
    const [lo, hi] = spec.layer[0].encoding.y.scale?.domain ?? [];
    expect(lo).toBeLessThan(0.25);
    expect(hi).toBeGreaterThan(0.7);
  });

  it('rejects empty or non-finite data', () => {
    expect(() => lineChartSpec({ series: [], xTitle: 'x', yTitle: 'y' })).toThrow(FigureError);
    expect(() => lineChartSpec({ series: [{ name: 's', points: [{ x: 0, y: Number.NaN }] }], xTitle: 'x', yTitle: 'y' })).toThrow(
      /y of point 0 in series "s"/,
    );
  });
});
