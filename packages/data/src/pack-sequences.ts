// Packing for training: documents are joined into one token stream (each preceded
// by BOS and/or followed by EOS when given) and cut into sequences of exactly
// `seqLength` tokens, so no compute is spent on padding.
import { DataError } from './data-error.js';

export interface PackOptions {
  seqLength: number;
  /** Prepended to each document when set (skip it if `encode` already adds BOS). */
  bosId?: number | null;
  /** Appended to each document when set. */
  eosId?: number | null;
  /** Drop the last, shorter sequence (default true); otherwise yield it as is. */
  dropRemainder?: boolean;
}

function checkOptions(options: PackOptions): void {
  if (!Number.isInteger(options.seqLength) || options.seqLength < 1) {
    throw new DataError('INVALID_ARGUMENT', `seqLength must be a positive integer, got ${options.seqLength}`, {
      field: 'seqLength',
      limit: 1,
    });
  }
  for (const [name, id] of [['bosId', options.bosId], ['eosId', options.eosId]] as const) {
    if (id !== undefined && id !== null && (!Number.isInteger(id) || id < 0)) {
      throw new DataError('INVALID_ARGUMENT', `${name} must be a non-negative integer, got ${id}`, { field: name });
    }
  }
}

/** Lazily packs token documents into fixed-length sequences (a new array per sequence). */
export function* packTokenStream(documents: Iterable<readonly number[]>, options: PackOptions): Generator<number[]> {
  checkOptions(options);
  const { seqLength } = options;
  let current: number[] = [];
  const push = function* (token: number): Generator<number[]> {
    current.push(token);
    if (current.length === seqLength) {
      yield current;
      current = [];
    }
  };
  for (const document of documents) {
    if (options.bosId !== undefined && options.bosId !== null) yield* push(options.bosId);
    for (const token of document) yield* push(token);
    if (options.eosId !== undefined && options.eosId !== null) yield* push(options.eosId);
  }
  if (current.length > 0 && options.dropRemainder === false) yield current;
}

/** All packed sequences of `documents` at once. */
export function packSequences(documents: Iterable<readonly number[]>, options: PackOptions): number[][] {
  return Array.from(packTokenStream(documents, options));
}
