// report.md: the same content as the HTML report, with figures as SVG files
// beside it (figures/<id>.svg) so it renders on GitHub and in editors.
import type { ReportFigure } from './report-figures.js';
import { buildResultsTable } from './results-table.js';
import { healingEngines, type RunResults } from './run-results.js';
import { formatBytes, formatCount, formatSeconds } from './format-values.js';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderMarkdown(results: RunResults, figures: ReportFigure[], figureDir = 'figures'): string {
  const table = buildResultsTable(results);
  const lines: string[] = [];
  lines.push(`# layerprune report: ${results.model.name}`);
  lines.push('');
  lines.push(
    `${results.model.modelType} model with ${results.model.layers} blocks and ${formatCount(results.model.parameters)} parameters ` +
      `(${formatBytes(results.model.bytes)}), analysed on ${results.analysis.samples} samples of \`${results.data.calibration}\`. ` +
      `Produced by layerprune ${results.tool.version} on ${results.createdAt} in ${formatSeconds(results.seconds)}.`,
  );
  lines.push('');
  lines.push('## Results');
  lines.push('');
  lines.push(`| ${table.headers.map(escapeCell).join(' | ')} |`);
  lines.push(`| ${table.headers.map(() => '---').join(' | ')} |`);
  for (const row of table.rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  lines.push('');
  lines.push('## Figures');
  for (const figure of figures) {
    lines.push('');
    lines.push(`### ${figure.title}`);
    lines.push('');
    lines.push(`![${figure.title}](${figureDir}/${figure.id}.svg)`);
    lines.push('');
    lines.push(figure.caption);
  }
  lines.push('');
  lines.push('## How this was produced');
  lines.push('');
  lines.push('```sh');
  for (const command of results.commands) lines.push(command);
  lines.push('```');
  lines.push('');
  const healed = healingEngines(results);
  const healedOn = healed.length === 0 ? '' : ` Healing trained on ${healed.map((h) => `engine ${h.engine} on \`${h.backend}\``).join(', ')}.`;
  lines.push(`Node ${results.environment.node} on ${results.environment.platform}, engine ${results.environment.engine ?? 'tfjs'} on \`${results.environment.backend}\`.${healedOn}`);
  lines.push('');
  lines.push('| package | version |');
  lines.push('| --- | --- |');
  for (const [name, version] of Object.entries(results.environment.packages)) lines.push(`| ${name} | ${version} |`);
  lines.push('');
  return lines.join('\n');
}
