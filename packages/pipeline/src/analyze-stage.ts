// The analysis stage, one implementation for `layerprune analyze` and the 'analyze'
// stage of runPipeline: load the tokenizer, draw the seeded calibration sample,
// load the model (streaming it block by block when it exceeds its backend's
// budget), and measure the distance table over the sample. Where the results go
// (an output directory, a stage record) is the caller's business.
import { loadCalibrationSequences, type DataFormat, type ReadLimitOptions } from '@layerprune/data';
import { loadModel, loadTokenizer, type BackendName, type EngineFactory } from '@layerprune/model';
import type { AnalysisSummary } from '@layerprune/report';
import type { DistanceTable, DistanceTableJSON, SimilarityMetric } from '@layerprune/similarity';
import { analyzeModel } from './analyze-model.js';

export interface AnalyzeStageInput {
  /** Model directory (absolute, or relative to the working directory). */
  modelDir: string;
  /** Calibration corpus: text, JSON Lines, or gzip of either. */
  dataFile: string;
  /** Documents to sample. */
  samples: number;
  /** Tokens per sequence (longer documents are cut). */
  seqLen: number;
  /** Sampling seed. */
  seed: number;
  /** Sequences per forward pass. */
  batchSize: number;
  metric: SimilarityMetric;
  /** TensorFlow.js backend when `engine` is left out. Default 'auto'. */
  backend?: BackendName;
  /** The engines to load the model with, in order of preference (see engineFactories); default TensorFlow.js on `backend`. */
  engine?: EngineFactory | readonly EngineFactory[];
  /** Default 'auto': resident unless the weights exceed the backend's budget. */
  mode?: 'auto' | 'resident' | 'streaming';
  /** Default 'auto' (by extension and content). */
  format?: DataFormat;
  /** JSON Lines field holding the text (default "text"). */
  field?: string;
  readLimits?: ReadLimitOptions;
  /** Informational lines (the backend chosen...). */
  log?: (line: string) => void;
  /** Called once the calibration sample is read, before the model loads. */
  onData?: (data: AnalyzeStageData) => void;
  /** Called once the model is loaded, before the first forward pass. */
  onModel?: (model: { engine: string; backend: string; mode: string }) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface AnalyzeStageData {
  /** Documents sampled (fewer than asked when the corpus is smaller). */
  sampled: number;
  /** Documents cut to seqLen tokens. */
  truncated: number;
  /** Sequences measured (sampled documents long enough to measure). */
  sequences: number;
  tokens: number;
}

export interface AnalyzeStageResult extends AnalyzeStageData {
  table: DistanceTable;
  /** The engine ("onnx", "tfjs"), the device or backend it ran on, and whether its weights were resident or streamed. */
  engine: string;
  backend: string;
  mode: string;
}

/** What a run records of its analysis stage (JSON; the full table included). */
export type AnalyzeStageSummary = AnalysisSummary & { engine: string; backend: string; mode: string; sampled: number; truncated: number; table: DistanceTableJSON };

export async function analyzeStage(input: AnalyzeStageInput): Promise<AnalyzeStageResult> {
  const tokenizer = await loadTokenizer(input.modelDir);
  const calibration = await loadCalibrationSequences(input.dataFile, (text) => tokenizer.encode(text), {
    samples: input.samples,
    seqLength: input.seqLen,
    seed: input.seed,
    format: input.format,
    field: input.field,
    ...input.readLimits,
  });
  const data: AnalyzeStageData = {
    sampled: calibration.sampled,
    truncated: calibration.truncated,
    sequences: calibration.sequences.length,
    tokens: calibration.tokens,
  };
  input.onData?.(data);
  const model = await loadModel(input.modelDir, { engine: input.engine, backend: input.backend ?? 'auto', mode: input.mode ?? 'auto', log: input.log });
  try {
    input.onModel?.({ engine: model.engine.name, backend: model.backend, mode: model.mode });
    const table = await analyzeModel(model, calibration.sequences, {
      metric: input.metric,
      batchSize: input.batchSize,
      onProgress: input.onProgress,
    });
    return { ...data, table, engine: model.engine.name, backend: model.backend, mode: model.mode };
  } finally {
    model.dispose();
  }
}

/** The stage record of a run: the figures the report shows, the engine, backend and sample facts, the table. */
export function analyzeStageSummary(result: AnalyzeStageResult, metric: SimilarityMetric): AnalyzeStageSummary {
  const { table } = result;
  return {
    metric,
    samples: table.samples,
    tokens: table.tokens,
    distances: table.rows().map((r) => Array.from(r.values)),
    standardErrors: table.rows().map((r) => Array.from({ length: r.values.length }, (_, l) => table.standardError(r.n, l) ?? 0)),
    optimal: table.recommendations().map((b) => ({ n: b.n, start: b.start, distance: b.distance })),
    engine: result.engine,
    backend: result.backend,
    mode: result.mode,
    sampled: result.sampled,
    truncated: result.truncated,
    table: table.toJSON(),
  };
}
