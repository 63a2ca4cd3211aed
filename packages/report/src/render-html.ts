// report.html: one self-contained page (inline CSS and SVG, no scripts, no
// network) that opens offline and prints well.
import type { ReportFigure } from './report-figures.js';
import { buildResultsTable } from './results-table.js';
import { healingEngines, type RunResults } from './run-results.js';
import { formatBytes, formatCount, formatSeconds } from './format-values.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Strips the XML prolog so the SVG can be inlined in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*\?>\s*/, '');
}

const STYLE = `
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.summary { color: #555; }
table { border-collapse: collapse; font-size: 13px; margin: 1rem 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e5e5; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
thead th { border-bottom: 2px solid #bbb; }
figure { margin: 1.5rem 0; } figcaption { color: #555; font-size: 13px; max-width: 760px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem; }
pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; font-size: 13px; }
`;

export function renderHtml(results: RunResults, figures: ReportFigure[]): string {
  const table = buildResultsTable(results);
  const title = `layerprune report: ${results.model.name}`;
  const figureHtml = figures
    .map(
      (f) =>
        `<figure id="${escapeHtml(f.id)}" data-figure="${escapeHtml(f.id)}">\n<h3>${escapeHtml(f.title)}</h3>\n${inlineSvg(f.svg)}\n<figcaption>${escapeHtml(f.caption)}</figcaption>\n</figure>`,
    )
    .join('\n');
  const healedOn = healingEngines(results)
    .map((h) => `engine ${escapeHtml(h.engine)} on <code>${escapeHtml(h.backend)}</code>`)
    .join(', ');
  const packages = Object.entries(results.environment.packages)
    .map(([name, version]) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(version)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="summary">${escapeHtml(results.model.modelType)} model, ${results.model.layers} blocks, ${formatCount(results.model.parameters)} parameters (${formatBytes(results.model.bytes)}); distances from ${results.analysis.samples} samples of <code>${escapeHtml(results.data.calibration)}</code>. layerprune ${escapeHtml(results.tool.version)}, ${escapeHtml(results.createdAt)}, ${formatSeconds(results.seconds)}.</p>
<h2>Results</h2>
<table id="results">
<thead><tr>${table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${table.rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
<h2>Figures</h2>
<div class="figures">
${figureHtml}
</div>
<h2>How this was produced</h2>
<pre>${results.commands.map(escapeHtml).join('\n')}</pre>
<p>Node ${escapeHtml(results.environment.node)} on ${escapeHtml(results.environment.platform)}, engine ${escapeHtml(results.environment.engine ?? 'tfjs')} on <code>${escapeHtml(results.environment.backend)}</code>.${healedOn === '' ? '' : ` Healing trained on ${healedOn}.`}</p>
<table><thead><tr><th>package</th><th>version</th></tr></thead><tbody>${packages}</tbody></table>
</body>
</html>
`;
}
