// Orchestration shared by `layerprune analyze` and the `run` pipeline: forward
// length-sorted batches of calibration sequences through the model, capturing the
// residual stream x(0..L), and feed each batch to the similarity accumulator.
import type { LlamaModel } from '@layerprune/model';
import { LayerpruneError } from '@layerprune/safe-output';
import { batchByLength } from '@layerprune/data';
import { DistanceAccumulator, type DistanceTable, type SimilarityMetric } from '@layerprune/similarity';

export type AnalyzeModelErrorCode = 'NO_SAMPLES' | 'STATES_TOO_LARGE';

/**
 * Failures of the orchestration itself (the packages it calls throw their own
 * typed errors). Kept in this file, not the CLI's errors, so that the file can
 * move to @layerprune/pipeline unchanged.
 */
export class AnalyzeModelError extends LayerpruneError<AnalyzeModelErrorCode> {
  declare readonly limit?: number;

  constructor(code: AnalyzeModelErrorCode, message: string, limit?: number) {
    super(code, message, { limit });
  }
}

/** Bytes of captured 'all'-position states per forward pass above which a batch is split. */
export const MAX_CAPTURED_STATE_BYTES = 512 * 1024 * 1024;

export interface AnalyzeModelOptions {
  /** Default 'angular'. */
  metric?: SimilarityMetric;
  /** Sequences per forward pass (default 8). Token-averaged metrics may use smaller passes to bound memory. */
  batchSize?: number;
  /** Called after each forward pass with the sequences done so far. */
  onProgress?: (done: number, total: number) => void;
  /** Bound on captured 'all'-position states per pass; default MAX_CAPTURED_STATE_BYTES. */
  maxStateBytes?: number;
}

/** The part of the model API the analysis needs. */
export type AnalyzableModel = Pick<LlamaModel, 'config' | 'forward'>;

/**
 * Splits a length batch so that L+1 captured float32 states of [B, maxLength, H]
 * stay under the byte budget. Last-token metrics capture only [B, H] per state.
 */
function passes(sequences: number[][], perSequenceBytes: number, budget: number): number[][][] {
  const perPass = Math.max(1, Math.floor(budget / perSequenceBytes));
  const out: number[][][] = [];
  for (let i = 0; i < sequences.length; i += perPass) out.push(sequences.slice(i, i + perPass));
  return out;
}

/** Runs the analysis and returns the distance table d[n][l] with standard errors. */
export async function analyzeModel(
  model: AnalyzableModel,
  sequences: number[][],
  options: AnalyzeModelOptions = {},
): Promise<DistanceTable> {
  const numLayers = model.config.numHiddenLayers;
  const hiddenSize = model.config.hiddenSize;
  const accumulator = new DistanceAccumulator({ numLayers, metric: options.metric ?? 'angular' });
  const budget = options.maxStateBytes ?? MAX_CAPTURED_STATE_BYTES;
  const batchSize = options.batchSize ?? 8;
  if (sequences.length === 0) throw new AnalyzeModelError('NO_SAMPLES', 'no calibration sequences to analyze');
  let done = 0;
  for (const batch of batchByLength(sequences, batchSize)) {
    let groups = [batch.sequences];
    if (accumulator.positions === 'all') {
      const perSequence = (numLayers + 1) * batch.maxLength * hiddenSize * 4;
      if (perSequence > budget) {
        throw new AnalyzeModelError(
          'STATES_TOO_LARGE',
          `metric ${accumulator.metric} needs every token's state: ${numLayers + 1} x ${batch.maxLength} x ${hiddenSize} floats ` +
            `(${Math.ceil(perSequence / 2 ** 20)} MiB) for one sequence exceeds the ${Math.floor(budget / 2 ** 20)} MiB limit; ` +
            'use a smaller --seq-len or a last-token metric (angular, cosine, magnitude)',
          budget,
        );
      }
      groups = passes(batch.sequences, perSequence, budget);
    }
    for (const group of groups) {
      const result = await model.forward(group, { logits: 'none', hidden: accumulator.positions });
      accumulator.add(result);
      done += group.length;
      options.onProgress?.(done, sequences.length);
    }
  }
  return accumulator.result();
}
