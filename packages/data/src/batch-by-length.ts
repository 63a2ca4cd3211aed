// Groups sequences into batches of similar length so that right-padding to the
// longest sequence of each batch wastes little compute. Deterministic: ties keep
// input order.
import { DataError } from './data-error.js';

export interface LengthBatch {
  /** Positions of the batch's sequences in the input array. */
  indices: number[];
  sequences: number[][];
  maxLength: number;
  /** Real tokens in the batch (without padding). */
  tokens: number;
}

/**
 * Sorts sequences by length, longest first (a batch that does not fit in memory
 * then fails at once, not at the end), and cuts them into batches of `batchSize`.
 */
export function batchByLength(sequences: readonly (number[] | { tokens: number[] })[], batchSize: number): LengthBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DataError('INVALID_ARGUMENT', `batch size must be a positive integer, got ${batchSize}`, { field: 'batchSize', limit: 1 });
  }
  const tokensOf = (i: number): number[] => {
    const item = sequences[i];
    return Array.isArray(item) ? item : item.tokens;
  };
  const order = sequences.map((_, i) => i).sort((a, b) => tokensOf(b).length - tokensOf(a).length || a - b);
  const batches: LengthBatch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = indices.map(tokensOf);
    batches.push({
      indices,
      sequences: batch,
      maxLength: Math.max(...batch.map((s) => s.length)),
      tokens: batch.reduce((sum, s) => sum + s.length, 0),
    });
  }
  return batches;
}

/** Fraction of padded positions over all batches: 1 - tokens / (batch * maxLength) summed. */
export function paddingFraction(batches: readonly LengthBatch[]): number {
  let real = 0;
  let padded = 0;
  for (const batch of batches) {
    real += batch.tokens;
    padded += batch.sequences.length * batch.maxLength;
  }
  return padded === 0 ? 0 : 1 - real / padded;
}
