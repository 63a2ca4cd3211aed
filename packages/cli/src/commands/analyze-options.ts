// `layerprune analyze`: options, help and examples. Light on purpose (no model,
// no tfjs): `--help` loads this; ./analyze.js does the work and is loaded to run.
import { join } from 'node:path';
import type { DataFormat } from '@layerprune/data';
import type { BackendName } from '@layerprune/model';
import { SIMILARITY_METRIC_NAMES, type SimilarityMetric } from '@layerprune/similarity';
import { backendOption } from '../cli/backend-option.js';
import { defineCommand } from '../cli/define-command.js';
import { engineOptions } from '../cli/engine-option.js';
import { withReadLimitOptions } from '../cli/read-limit-options.js';
import type { AnalyzeResult, WeightModeOption } from './analyze.js';

// 500 samples put the standard errors of stories260K near 0.0015, far below the gaps between
// blocks, and keep the default run well under a minute on 2 cores.
export const DEFAULT_SAMPLES = 500;
export const DEFAULT_MAX_SEQ_LEN = 256;
export const DEFAULT_ANALYZE_BATCH_SIZE = 8;

export const analyzeCommand = defineCommand({
  command: 'analyze',
  describe: 'Measure block-to-block distances on calibration data and recommend the blocks to drop',
  builder: (yargs) =>
    withReadLimitOptions(yargs)
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled stories260K)' })
      .option('data', { type: 'string', describe: 'Calibration corpus: text, JSON Lines, gzip of either, or Parquet (default: bundled TinyStories sample)' })
      .option('samples', { type: 'number', default: DEFAULT_SAMPLES, describe: 'Documents to sample' })
      .option('seq-len', { type: 'number', describe: `Tokens per sample (default: min(${DEFAULT_MAX_SEQ_LEN}, model context))` })
      .option('batch-size', { type: 'number', alias: 'batch', default: DEFAULT_ANALYZE_BATCH_SIZE, describe: 'Sequences per forward pass' })
      .option('metric', { choices: SIMILARITY_METRIC_NAMES as SimilarityMetric[], default: 'angular' as SimilarityMetric, describe: 'Distance to minimise' })
      .option('out', { type: 'string', default: join('out', 'analysis'), describe: 'Output directory (a previous analysis there is replaced)' })
      .option('force', { type: 'boolean', describe: 'Replace a non-empty --out written by another layerprune command (never a directory layerprune did not write)' })
      .option('seed', { type: 'number', default: 0, describe: 'Sampling seed' })
      .option('mode', { choices: ['auto', 'resident', 'streaming'] as WeightModeOption[], default: 'auto' as WeightModeOption, describe: 'Keep weights resident or stream one layer at a time' })
      .option('backend', backendOption())
      .options(engineOptions())
      .option('format', { choices: ['auto', 'text', 'jsonl', 'parquet'] as DataFormat[], default: 'auto' as DataFormat, describe: 'Data format (auto: Parquet by its PAR1 bytes, else by name or content)' })
      .option('field', { type: 'string', alias: 'text-field', default: 'text', describe: 'JSON Lines field, or Parquet column, holding the text' }),
  examples: [
    ['$0 analyze', 'bundled model and data; writes out/analysis/'],
    ['$0 analyze --model llama-7b --data c4.jsonl --samples 2000', 'a real model, the paper\'s sample size'],
    ['$0 analyze --metric bi --batch-size 4 --json', 'Block Influence; the result as JSON'],
    ['$0 analyze --model llama-7b --data c4.jsonl --engine onnx --device cuda', 'on ONNX Runtime on the GPU'],
  ],
  load: async () => {
    const { runAnalyze, renderAnalyze } = await import('./analyze.js');
    return {
      run: (args, ctx): Promise<AnalyzeResult> =>
        runAnalyze(
          {
            model: args.model,
            data: args.data,
            samples: args.samples,
            seqLen: args.seqLen,
            batchSize: args.batchSize,
            metric: args.metric,
            out: args.out,
            force: args.force,
            seed: args.seed,
            mode: args.mode,
            backend: args.backend as BackendName | undefined,
            engine: args.engine,
            threads: args.threads,
            device: args.device,
            format: args.format,
            field: args.field,
            maxDocumentSize: args.maxDocumentSize,
            encodingErrors: args.encodingErrors,
          },
          ctx,
        ),
      render: renderAnalyze,
    };
  },
});
