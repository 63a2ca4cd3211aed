// Writes report.html, report.md, figures/*.svg and results.json into a directory.
// Each file goes to a temporary name first and is renamed when complete
// (@layerprune/safe-output: fsync, rename, cleanup on interruption).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic as writeAtomic } from '@layerprune/safe-output';
import { buildReportFigures } from './report-figures.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { RunResults } from './run-results.js';

export interface WrittenReport {
  html: string;
  markdown: string;
  results: string;
  figures: string[];
}

export async function writeReport(dir: string, results: RunResults): Promise<WrittenReport> {
  const figures = await buildReportFigures(results);
  const figureDir = join(dir, 'figures');
  await mkdir(figureDir, { recursive: true });
  const figurePaths: string[] = [];
  for (const figure of figures) {
    const path = join(figureDir, `${figure.id}.svg`);
    await writeAtomic(path, figure.svg);
    figurePaths.push(path);
  }
  const written: WrittenReport = {
    html: join(dir, 'report.html'),
    markdown: join(dir, 'report.md'),
    results: join(dir, 'results.json'),
    figures: figurePaths,
  };
  await writeAtomic(written.results, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomic(written.markdown, renderMarkdown(results, figures));
  await writeAtomic(written.html, renderHtml(results, figures));
  return written;
}
