// A sequence length the model has no positions for is refused, never cut down
// silently: RoPE past max_position_embeddings gives a model inputs it was never
// trained on, and a clamp would make the run differ from what was asked.
import { CliError, USAGE_EXIT_CODE } from './errors.js';

/** Throws SEQ_LEN_TOO_LONG (exit code 2) when `value` exceeds the model's `maxPositions`. */
export function checkSeqLen(flag: string, value: number, maxPositions: number, modelDir: string): void {
  if (value <= maxPositions) return;
  throw new CliError(
    'SEQ_LEN_TOO_LONG',
    `${flag} ${value} exceeds the model's max_position_embeddings ${maxPositions} (${modelDir}); use at most ${maxPositions}`,
    USAGE_EXIT_CODE,
  );
}
