// Turns documents into token sequences no longer than a sequence length. The
// tokenizer is a parameter (any `encode(text) => ids`, e.g. the model package's
// Tokenizer.encode), so this package does not depend on the model.
import { DataError } from './data-error.js';
import type { Document } from './document.js';

export type EncodeFn = (text: string) => number[];

export interface TokenizedDocument {
  /** The document's index in its file. */
  index: number;
  tokens: number[];
  /** Token count before truncation. */
  originalLength: number;
}

export interface TokenizeOptions {
  /** Keep at most the first `maxLength` tokens. */
  maxLength: number;
  /** Drop documents with fewer tokens than this (default 1). */
  minLength?: number;
}

function checkLength(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new DataError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}, got ${value}`, { field: name, limit: min });
  }
}

/** Truncates `tokens` to its first `maxLength` entries (no copy when already short enough). */
export function truncateTokens(tokens: number[], maxLength: number): number[] {
  checkLength('maxLength', maxLength, 1);
  return tokens.length > maxLength ? tokens.slice(0, maxLength) : tokens;
}

/** Encodes and truncates each document; documents shorter than `minLength` tokens are dropped. */
export function tokenizeDocuments(documents: Iterable<Document>, encode: EncodeFn, options: TokenizeOptions): TokenizedDocument[] {
  checkLength('maxLength', options.maxLength, 1);
  const minLength = options.minLength ?? 1;
  checkLength('minLength', minLength, 1);
  const out: TokenizedDocument[] = [];
  for (const document of documents) {
    const tokens = encode(document.text);
    if (tokens.length < minLength) continue;
    out.push({ index: document.index, tokens: truncateTokens(tokens, options.maxLength), originalLength: tokens.length });
  }
  return out;
}
