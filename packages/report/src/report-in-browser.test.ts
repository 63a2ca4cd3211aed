// The report opened in a real headless Chromium: it must load offline without
// console errors, and every figure must have drawn marks with a visible size.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from './testing/find-chromium.js';
import { sampleResults } from './testing/sample-results.js';
import { writeReport } from './write-report.js';

const executablePath = findChromium();
if (executablePath === null) {
  console.warn('report-in-browser: skipped, no Chromium found (apt-get install chromium, or set LAYERPRUNE_CHROMIUM)');
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.skipIf(executablePath === null)('report.html in headless Chromium', () => {
  it('loads without console errors and every figure has data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-report-browser-'));
    dirs.push(dir);
    const results = sampleResults(8);
    const written = await writeReport(dir, results);
    const browser = await chromium.launch({ executablePath: executablePath as string, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(pathToFileURL(written.html).href, { waitUntil: 'load' });
      const figures = await page.evaluate(() =>
        Array.from(document.querySelectorAll('figure[data-figure]')).map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // Data marks: Vega draws them as paths/rects inside groups with role "mark".
          const marks = Array.from(figure.querySelectorAll('[role="graphics-symbol"], .mark-rect path, .mark-line path, .mark-symbol path, .mark-rule line')).filter((el) => {
            const b = (el as SVGGraphicsElement).getBoundingClientRect();
            return b.width > 0 || b.height > 0;
          }).length;
          return { id: figure.getAttribute('data-figure'), width: box?.width ?? 0, height: box?.height ?? 0, marks };
        }),
      );
      expect(problems).toEqual([]);
      expect(figures.map((f) => f.id)).toEqual(['distance-heatmap', 'min-distance', 'metric-loss', 'metric-mmlu-acc', 'healing-loss']);
      for (const f of figures) {
        expect(f.width, f.id ?? '').toBeGreaterThan(200);
        expect(f.height, f.id ?? '').toBeGreaterThan(100);
        expect(f.marks, f.id ?? '').toBeGreaterThan(0);
      }
      const rows = await page.locator('#results tbody tr').count();
      expect(rows).toBe(1 + results.runs.length);
    } finally {
      await browser.close();
    }
  });
});
