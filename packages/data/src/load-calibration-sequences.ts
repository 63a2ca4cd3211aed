// The whole calibration-data path in one call, shared by analysis, healing and
// evaluation: read a corpus, pick N documents with a seed, tokenize and truncate
// them to the sequence length. Same file + seed + tokenizer = same sequences.
import { DataError } from './data-error.js';
import { readDocuments, type ReadDocumentsOptions } from './read-documents.js';
import { sampleDocuments } from './sample-documents.js';
import { tokenizeDocuments, type EncodeFn, type TokenizedDocument } from './tokenize-documents.js';

export interface CalibrationOptions extends ReadDocumentsOptions {
  /** Number of documents to sample. */
  samples: number;
  /** Maximum tokens per sequence (truncation). */
  seqLength: number;
  /** Default 0. */
  seed?: number;
  /** Drop documents with fewer tokens (default 2: one token has no context). */
  minLength?: number;
}

export interface CalibrationSequences {
  file: string;
  /** Tokenized documents in file order; `index` is the document's position in the file. */
  documents: TokenizedDocument[];
  sequences: number[][];
  /** Documents sampled before short ones were dropped. */
  sampled: number;
  /** Documents longer than seqLength that were cut. */
  truncated: number;
  /** Tokens after truncation. */
  tokens: number;
}

export async function loadCalibrationSequences(
  file: string,
  encode: EncodeFn,
  options: CalibrationOptions,
): Promise<CalibrationSequences> {
  if (!Number.isInteger(options.seqLength) || options.seqLength < 1) {
    throw new DataError('INVALID_ARGUMENT', `sequence length must be a positive integer, got ${options.seqLength}`, {
      field: 'seqLength',
      limit: 1,
    });
  }
  const minLength = Math.min(options.minLength ?? 2, options.seqLength);
  const sampled = await sampleDocuments(readDocuments(file, options), options.samples, { seed: options.seed ?? 0 });
  const documents = tokenizeDocuments(sampled, encode, { maxLength: options.seqLength, minLength });
  if (documents.length === 0) {
    throw new DataError('EMPTY_INPUT', `${file}: none of the ${sampled.length} sampled documents has ${minLength} or more tokens`, {
      file,
      limit: minLength,
    });
  }
  return {
    file,
    documents,
    sequences: documents.map((d) => d.tokens),
    sampled: sampled.length,
    truncated: documents.filter((d) => d.originalLength > options.seqLength).length,
    tokens: documents.reduce((sum, d) => sum + d.tokens.length, 0),
  };
}
