// The sequence lengths a run uses. A length the configuration sets is used as it
// is, and one the model has no positions for is refused before any work (RoPE
// past max_position_embeddings feeds the model positions it never saw); only a
// default (null) follows the model: min(default, max_position_embeddings).
import { DEFAULT_ANALYSIS_SEQ_LEN, DEFAULT_HEAL_SEQ_LEN } from './default-config.js';
import type { PipelineConfig } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';

/** Tokens per sequence of the `analysis` or `heal` stage; throws SEQ_LEN_TOO_LONG naming the field, value and limit. */
export function resolveSeqLen(config: Pick<PipelineConfig, 'analysis' | 'heal'>, stage: 'analysis' | 'heal', maxPositions: number, modelDir: string): number {
  const value = config[stage].seqLen;
  const fallback = stage === 'analysis' ? DEFAULT_ANALYSIS_SEQ_LEN : DEFAULT_HEAL_SEQ_LEN;
  if (value === null) return Math.min(fallback, maxPositions);
  if (value > maxPositions) {
    throw new PipelineError(
      'SEQ_LEN_TOO_LONG',
      `${stage}.seqLen ${value} exceeds the model's max_position_embeddings ${maxPositions} (${modelDir}); use at most ${maxPositions}, or leave it out to follow the model`,
      { field: `${stage}.seqLen`, file: modelDir },
    );
  }
  return value;
}
