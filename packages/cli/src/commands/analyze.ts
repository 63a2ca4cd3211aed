// `layerprune analyze`: measure, over a calibration corpus, how much the residual
// stream changes across every block of n consecutive layers (the paper's angular
// distance by default) and recommend the block to drop for each n. Writes
// analysis.json (read by `prune --from-analysis`), analysis.csv and two SVG figures.
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import { loadCalibrationSequences, type DataFormat } from '@layerprune/data';
import { renderDistanceHeatmap, renderMinDistanceCurve } from '@layerprune/figures';
import { loadModel, loadTokenizer, type BackendName } from '@layerprune/model';
import { SIMILARITY_METRIC_NAMES, SIMILARITY_METRICS, similarityMetricInfo, type DistanceTable, type SimilarityMetric } from '@layerprune/similarity';
import { checkOutputTarget, requireReplaceable, writeOutputDirectory } from '@layerprune/safe-output';
import { openModelDir } from '@layerprune/tensor-io';
import type { CommandContext } from '../cli/command-context.js';
import { readLimitsFrom, withReadLimitOptions, type ReadLimitArgs } from '../cli/read-limit-options.js';
import { defineCommand } from '../cli/define-command.js';
import { checkOption, COUNT_RULE, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { formatNumber, formatTable } from '../cli/output.js';
import { toolVersion } from '../cli/tool-version.js';
import { analysisDocument, analyzeModel, blockRecommendations, type BlockRecommendation } from '@layerprune/pipeline';

export type WeightModeOption = 'auto' | 'resident' | 'streaming';

export interface AnalyzeOptions extends ReadLimitArgs {
  /** Model directory; default the bundled model. */
  model?: string;
  /** Calibration corpus; default the bundled TinyStories sample. */
  data?: string;
  samples?: number;
  /** Tokens per sequence (truncation); default min(256, the model's context). */
  seqLen?: number;
  batch?: number;
  metric?: SimilarityMetric;
  out?: string;
  /** Replace a non-empty --out that layerprune wrote (a previous analysis is replaced anyway). */
  force?: boolean;
  seed?: number;
  mode?: WeightModeOption;
  backend?: BackendName;
  format?: DataFormat;
  field?: string;
}

export type AnalyzeRecommendation = BlockRecommendation;

export interface AnalyzeResult {
  model: string;
  data: string;
  metric: SimilarityMetric;
  numLayers: number;
  samples: number;
  tokens: number;
  seqLen: number;
  seed: number;
  recommendations: AnalyzeRecommendation[];
  files: { json: string; csv: string; heatmap: string; curve: string };
}

// 500 samples put the standard errors of stories260K near 0.0015, far below the gaps between
// blocks, and keep the default run well under a minute on 2 cores.
export const DEFAULT_SAMPLES = 500;
export const DEFAULT_MAX_SEQ_LEN = 256;

/** Reads config.json only, to check limits before loading weights or data. */
async function inspectModel(dir: string): Promise<{ numLayers: number; context: number; modelType: string }> {
  const model = await openModelDir(dir);
  try {
    const c = model.config;
    return { numLayers: c.numHiddenLayers, context: c.maxPositionEmbeddings, modelType: c.modelType };
  } finally {
    await model.close();
  }
}

/** One line per cell: n, l, block, distance, standard error, rank within n (1 = the block to drop). */
export function analysisCsv(table: DistanceTable): string {
  const lines = ['n,l,start,end,distance,standard_error,rank'];
  for (let n = 1; n < table.numLayers; n++) {
    const rank = new Map(table.rankedBlocks(n).map((c, i) => [c.start, i + 1]));
    for (let l = 0; l <= table.numLayers - n; l++) {
      const se = table.standardError(n, l);
      lines.push([n, l, l, l + n, table.value(n, l), se ?? '', rank.get(l)].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function runAnalyze(options: AnalyzeOptions, ctx: CommandContext): Promise<AnalyzeResult> {
  const samples = checkOption('--samples', options.samples ?? DEFAULT_SAMPLES, COUNT_RULE);
  const batch = checkOption('--batch', options.batch ?? 8, COUNT_RULE);
  const seed = checkOption('--seed', options.seed ?? 0, SEED_RULE);
  checkOption('--seq-len', options.seqLen, COUNT_RULE);
  // Checked here too, not only by yargs: runAnalyze is also called directly.
  const metricInfo = similarityMetricInfo(options.metric ?? 'angular');
  const metric = metricInfo.name;
  const modelDir = resolve(options.model ?? defaultModelDir());
  const dataFile = resolve(options.data ?? defaultCalibrationFile());
  const outDir = resolve(options.out ?? join('out', 'analysis'));

  // Refuse an unsafe --out (the model, inside it, the data, a foreign directory)
  // before the long work; a previous analysis there is replaced without --force.
  const outCheck = await checkOutputTarget(outDir, { inputs: [modelDir, dataFile] });
  const replace = options.force === true || outCheck.manifest?.command === 'analyze';
  requireReplaceable(outCheck, replace);

  const info = await inspectModel(modelDir);
  // The default follows the model; a length the user asked for is never cut down.
  const seqLen = options.seqLen ?? Math.min(DEFAULT_MAX_SEQ_LEN, info.context);
  checkSeqLen('--seq-len', seqLen, info.context, modelDir);
  const tokenizer = await loadTokenizer(modelDir);
  const calibration = await loadCalibrationSequences(dataFile, (text) => tokenizer.encode(text), {
    samples,
    seqLength: seqLen,
    seed,
    format: options.format,
    field: options.field,
    ...readLimitsFrom(options),
  });
  if (calibration.sampled < samples) ctx.warn(`${dataFile} has only ${calibration.sampled} documents; using all of them`);
  // 'auto' lets the model runtime stream layer by layer when the weights exceed its backend's budget.
  const model = await loadModel(modelDir, { backend: options.backend ?? 'auto', mode: options.mode ?? 'auto', log: (line) => ctx.log(line) });
  const mode = model.mode;
  ctx.log(`analyze: ${info.modelType}, ${info.numLayers} layers, weights ${mode} on ${model.backend}; ${calibration.sequences.length} sequences, ${calibration.tokens} tokens (<= ${seqLen} each)`);
  let table: DistanceTable;
  const progress = ctx.progress({ label: 'analyze', total: calibration.sequences.length, unit: 'samples' });
  try {
    table = await analyzeModel(model, calibration.sequences, { metric, batchSize: batch, onProgress: (done) => progress.update(done) });
  } finally {
    progress.stop();
    model.dispose();
  }

  const recommendations: AnalyzeRecommendation[] = blockRecommendations(table);
  const names = { json: 'analysis.json', csv: 'analysis.csv', heatmap: 'heatmap.svg', curve: 'min-distance.svg' };
  const files = Object.fromEntries(Object.entries(names).map(([k, name]) => [k, join(outDir, name)])) as typeof names;
  const analysis = analysisDocument({
    table,
    metric,
    toolVersion: toolVersion(),
    model: { dir: modelDir, modelType: info.modelType, backend: model.backend, mode },
    data: { file: dataFile, format: options.format ?? 'auto', seed, samplesRequested: samples, seqLen, sampled: calibration.sampled, truncated: calibration.truncated },
  });
  const title = `${basename(modelDir)}: ${metricInfo.label}, ${table.samples} samples`;
  const [heatmap, curve] = await Promise.all([
    renderDistanceHeatmap({ rows: table.rows(), metricLabel: metricInfo.label, title }),
    renderMinDistanceCurve({
      points: recommendations.map((r) => ({ n: r.n, distance: r.distance, standardError: r.standardError, start: r.start })),
      metricLabel: metricInfo.label,
      title,
      domain: [0, metricInfo.range[1] ?? 1],
    }),
  ]);
  // All four files appear together or not at all (temporary directory, fsync, rename).
  await writeOutputDirectory(outDir, { inputs: [modelDir, dataFile], command: 'analyze', force: replace }, async (temp) => {
    await writeFile(join(temp, names.json), `${JSON.stringify(analysis, null, 2)}\n`);
    await writeFile(join(temp, names.csv), analysisCsv(table));
    await writeFile(join(temp, names.heatmap), heatmap);
    await writeFile(join(temp, names.curve), curve);
  });
  ctx.log(`analyze: wrote ${Object.values(files).join(', ')}`);
  return {
    model: modelDir,
    data: dataFile,
    metric,
    numLayers: table.numLayers,
    samples: table.samples,
    tokens: table.tokens,
    seqLen,
    seed,
    recommendations,
    files,
  };
}

function renderAnalyze(result: AnalyzeResult): string {
  const label = SIMILARITY_METRICS[result.metric].label;
  const rows = result.recommendations.map((r) => [
    r.n,
    `[${r.start}, ${r.end})`,
    formatNumber(r.distance),
    r.standardError === null ? '-' : formatNumber(r.standardError),
    `[${r.simpleRule.start}, ${r.simpleRule.end})`,
    formatNumber(r.simpleRule.distance),
  ]);
  return [
    `${result.model}: ${label} over ${result.samples} samples (${result.tokens} tokens) of ${result.data}`,
    '',
    formatTable(['n', 'drop', label, 'std err', 'simple rule', label], rows, { alignRight: [0, 2, 3, 5] }),
    '',
    `wrote ${result.files.json}`,
    `      ${result.files.csv}`,
    `      ${result.files.heatmap}`,
    `      ${result.files.curve}`,
  ].join('\n');
}

export const analyzeCommand = defineCommand({
  command: 'analyze',
  describe: 'Measure block-to-block distances on calibration data and recommend the blocks to drop',
  builder: (yargs) =>
    withReadLimitOptions(yargs)
      .option('model', { type: 'string', describe: 'Model directory (default: the bundled stories260K)' })
      .option('data', { type: 'string', describe: 'Calibration corpus: text, JSON Lines, or gzip of either (default: bundled TinyStories sample)' })
      .option('samples', { type: 'number', default: DEFAULT_SAMPLES, describe: 'Documents to sample' })
      .option('seq-len', { type: 'number', describe: `Tokens per sample (default: min(${DEFAULT_MAX_SEQ_LEN}, model context))` })
      .option('batch', { type: 'number', alias: 'batch-size', default: 8, describe: 'Sequences per forward pass' })
      .option('metric', { choices: SIMILARITY_METRIC_NAMES as SimilarityMetric[], default: 'angular' as SimilarityMetric, describe: 'Distance to minimise' })
      .option('out', { type: 'string', default: join('out', 'analysis'), describe: 'Output directory (a previous analysis there is replaced)' })
      .option('force', { type: 'boolean', describe: 'Replace a non-empty --out written by another layerprune command (never a directory layerprune did not write)' })
      .option('seed', { type: 'number', default: 0, describe: 'Sampling seed' })
      .option('mode', { choices: ['auto', 'resident', 'streaming'] as WeightModeOption[], default: 'auto' as WeightModeOption, describe: 'Keep weights resident or stream one layer at a time' })
      .option('backend', { choices: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as BackendName[], default: 'auto' as BackendName, describe: 'TensorFlow.js backend' })
      .option('format', { choices: ['auto', 'text', 'jsonl'] as DataFormat[], default: 'auto' as DataFormat, describe: 'Data format' })
      .option('field', { type: 'string', default: 'text', describe: 'JSON Lines field holding the text' }),
  run: (args, ctx) =>
    runAnalyze(
      {
        model: args.model,
        data: args.data,
        samples: args.samples,
        seqLen: args.seqLen,
        batch: args.batch,
        metric: args.metric,
        out: args.out,
        force: args.force,
        seed: args.seed,
        mode: args.mode,
        backend: args.backend,
        format: args.format,
        field: args.field,
        maxDocumentSize: args.maxDocumentSize,
        encodingErrors: args.encodingErrors,
      },
      ctx,
    ),
  render: renderAnalyze,
});
