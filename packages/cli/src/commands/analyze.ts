// `layerprune analyze`: measure, over a calibration corpus, how much the residual
// stream changes across every block of n consecutive layers (the paper's angular
// distance by default) and recommend the block to drop for each n. Writes
// analysis.json (read by `prune --from-analysis`), analysis.csv and two SVG figures.
// The measurement is the pipeline's analysis stage (the one `layerprune run` runs);
// this file checks the options, guards the output directory and writes the files.
// Options and help: ./analyze-options.ts.
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import type { DataFormat } from '@layerprune/data';
import { renderDistanceHeatmap, renderMinDistanceCurve } from '@layerprune/figures';
import type { BackendName } from '@layerprune/model';
import { SIMILARITY_METRICS, similarityMetricInfo, type DistanceTable, type SimilarityMetric } from '@layerprune/similarity';
import { checkOutputTarget, requireReplaceable, writeOutputDirectory } from '@layerprune/safe-output';
import { openModelDir } from '@layerprune/architectures';
import type { CommandContext } from '../cli/command-context.js';
import type { Progress } from '../cli/progress.js';
import type { ReadLimitArgs } from '../cli/read-limit-options.js';
import { readLimitsFrom } from '../cli/read-limits.js';
import type { EngineArgs } from '../cli/engine-option.js';
import { describeEngine, engineFactoriesFrom } from '../cli/engine-factories.js';
import { checkOption, COUNT_RULE, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { formatNumber, formatTable } from '../cli/output.js';
import { toolVersion } from '../cli/tool-version.js';
import { analysisDocument, analyzeStage, blockRecommendations, type BlockRecommendation } from '@layerprune/pipeline';
import { DEFAULT_ANALYZE_BATCH_SIZE, DEFAULT_MAX_SEQ_LEN, DEFAULT_SAMPLES } from './analyze-options.js';

export type WeightModeOption = 'auto' | 'resident' | 'streaming';

export interface AnalyzeOptions extends ReadLimitArgs, EngineArgs {
  /** Model directory; default the bundled model. */
  model?: string;
  /** Calibration corpus; default the bundled TinyStories sample. */
  data?: string;
  samples?: number;
  /** Tokens per sequence (truncation); default min(256, the model's context). */
  seqLen?: number;
  /** Sequences per forward pass (`--batch-size`, alias `--batch`). */
  batchSize?: number;
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
  /** The engine the model ran on ("onnx", "tfjs") and its device or TensorFlow.js backend. */
  engine: string;
  backend: string;
  recommendations: AnalyzeRecommendation[];
  files: { json: string; csv: string; heatmap: string; curve: string };
}

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
  const batchSize = checkOption('--batch-size', options.batchSize ?? DEFAULT_ANALYZE_BATCH_SIZE, COUNT_RULE);
  const seed = checkOption('--seed', options.seed ?? 0, SEED_RULE);
  checkOption('--seq-len', options.seqLen, COUNT_RULE);
  const backend = options.backend ?? 'auto';
  // Before any work: a missing engine package or conflicting flags fail in the first second.
  const engine = await engineFactoriesFrom({ ...options, backend }, ctx);
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
  // The bar starts once the model is loaded (the backend line comes first) and
  // counts the sequences the sample yielded.
  let sequences = 0;
  let tokens = 0;
  let progress: Progress | null = null;
  const stage = await analyzeStage({
    modelDir,
    dataFile,
    samples,
    seqLen,
    seed,
    batchSize,
    metric,
    backend,
    engine,
    // 'auto' lets the model runtime stream layer by layer when the weights exceed its backend's budget.
    mode: options.mode ?? 'auto',
    format: options.format,
    field: options.field,
    readLimits: readLimitsFrom(options),
    log: (line) => ctx.log(line),
    onData: (data) => {
      ({ sequences, tokens } = data);
      if (data.sampled < samples) ctx.warn(`${dataFile} has only ${data.sampled} documents; using all of them`);
    },
    onModel: (model) => {
      ctx.log(`analyze: ${info.modelType}, ${info.numLayers} layers, weights ${model.mode}, ${describeEngine(model)}; ${sequences} sequences, ${tokens} tokens (<= ${seqLen} each)`);
      progress = ctx.progress({ label: 'analyze', total: sequences, unit: 'samples' });
    },
    onProgress: (done) => progress?.update(done),
  }).finally(() => progress?.stop());
  const { table, mode } = stage;

  const recommendations: AnalyzeRecommendation[] = blockRecommendations(table);
  const names = { json: 'analysis.json', csv: 'analysis.csv', heatmap: 'heatmap.svg', curve: 'min-distance.svg' };
  const files = Object.fromEntries(Object.entries(names).map(([k, name]) => [k, join(outDir, name)])) as typeof names;
  const analysis = analysisDocument({
    table,
    metric,
    toolVersion: toolVersion(),
    model: { dir: modelDir, modelType: info.modelType, engine: stage.engine, backend: stage.backend, mode },
    data: { file: dataFile, format: options.format ?? 'auto', seed, samplesRequested: samples, seqLen, sampled: stage.sampled, truncated: stage.truncated },
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
    engine: stage.engine,
    backend: stage.backend,
    recommendations,
    files,
  };
}

export function renderAnalyze(result: AnalyzeResult): string {
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
    `${result.model}: ${label} over ${result.samples} samples (${result.tokens} tokens) of ${result.data} (${describeEngine(result)})`,
    '',
    formatTable(['n', 'drop', label, 'std err', 'simple rule', label], rows, { alignRight: [0, 2, 3, 5] }),
    '',
    `wrote ${result.files.json}`,
    `      ${result.files.csv}`,
    `      ${result.files.heatmap}`,
    `      ${result.files.curve}`,
  ].join('\n');
}
