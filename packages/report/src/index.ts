export { RESULTS_SCHEMA_VERSION, healingEngines } from './run-results.js';
export type {
  AnalysisSummary,
  HealingSummary,
  MetricSpec,
  MetricValues,
  PrunedRun,
  RunResults,
} from './run-results.js';
export { buildReportFigures } from './report-figures.js';
export type { ReportFigure } from './report-figures.js';
export { buildResultsTable } from './results-table.js';
export type { ResultsTable } from './results-table.js';
export { renderHtml } from './render-html.js';
export { renderMarkdown } from './render-markdown.js';
export { writeReport } from './write-report.js';
export type { WrittenReport } from './write-report.js';
