// Corpus file -> packed training sequences: documents are read lazily
// (@layerprune/data readDocuments), tokenized with the model's tokenizer (BOS
// per document, as transformers' run_clm gets it from the tokenizer), joined
// into one stream and cut into sequences of exactly seqLen tokens (the same
// packing as @layerprune/data packTokenStream, done incrementally here so a large
// corpus is tokenized only as far as training will reach).
import { readDocuments, type ReadLimitOptions } from '@layerprune/data';
import { LoraError } from './lora-error.js';
import { PackedSequences } from './packed-sequences.js';

export interface TextEncoder {
  encode(text: string): number[];
}

/**
 * Also the read limits of @layerprune/data, passed to its reader: `maxDocumentBytes`
 * (default 64 MiB), `maxDecompressedBytes` (default: 100x the compressed size, at
 * least 64 MiB) and `encodingErrors` (default "error"). Their failures, like an
 * empty file (EMPTY_INPUT), are DataErrors naming the file and line.
 */
export interface LoadPackedDataOptions extends ReadLimitOptions {
  seqLen: number;
  /** Stop once this many sequences are packed. */
  maxSequences: number;
  /** Skip this many documents first (a held-out split can take the documents after the training ones). */
  skipDocuments?: number;
  /** JSON Lines field, or Parquet column, holding the text (default "text"). */
  field?: string;
}

export interface PackedData {
  data: PackedSequences;
  /** Documents read (after the skipped ones). */
  documents: number;
}

export async function loadPackedData(file: string, tokenizer: TextEncoder, options: LoadPackedDataOptions): Promise<PackedData> {
  const { seqLen, maxSequences } = options;
  const tokens = new Int32Array(seqLen * maxSequences);
  let written = 0; // tokens placed in `tokens`
  let documents = 0;
  let index = 0;
  const skip = options.skipDocuments ?? 0;
  const capacity = tokens.length;
  const read = {
    field: options.field,
    maxDocumentBytes: options.maxDocumentBytes,
    maxDecompressedBytes: options.maxDecompressedBytes,
    encodingErrors: options.encodingErrors,
  };
  for await (const doc of readDocuments(file, read)) {
    if (index++ < skip) continue;
    documents += 1;
    const ids = tokenizer.encode(doc.text);
    const take = Math.min(ids.length, capacity - written);
    tokens.set(take === ids.length ? ids : ids.slice(0, take), written);
    written += take;
    if (written >= capacity) break;
  }
  const count = Math.floor(written / seqLen);
  if (count === 0) {
    throw new LoraError('DATA_TOO_SHORT', `${file}: ${documents} documents give ${written} tokens, fewer than one packed sequence of ${seqLen}`, {
      file,
      limit: seqLen,
    });
  }
  return { data: new PackedSequences(tokens.subarray(0, count * seqLen), seqLen), documents };
}
