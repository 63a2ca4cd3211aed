// Training computes full causal attention within each packed sequence. A layer
// whose sliding window is shorter than the sequence would see fewer keys at
// evaluation than in training: the adapter would be trained for another model.
// A window at least as long as the sequence changes nothing (positions restart at
// 0 in every sequence), so only windows < seqLen are refused.
import { LoraError } from './lora-error.js';

/** `layerWindows`: per layer, the sliding window or null (@layerprune/model's resolveArchitecture). */
export function checkTrainingWindows(layerWindows: readonly (number | null)[], seqLen: number, where: string): void {
  const layer = layerWindows.findIndex((w) => w !== null && w < seqLen);
  if (layer === -1) return;
  const window = layerWindows[layer] as number;
  throw new LoraError(
    'UNSUPPORTED_MODEL',
    `${where}: layer ${layer} attends through a sliding window of ${window} tokens, shorter than seq_len ${seqLen}; training computes full attention, so use a seq_len of at most ${window}`,
    { field: 'seq_len', limit: window },
  );
}
