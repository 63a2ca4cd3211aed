import { ConvertError } from './convert-error.js';
import { LLAMA2C_LIMITS } from './limits.js';

/** Bytes of the legacy (version 0) llama2.c header: 7 little-endian int32. */
export const LLAMA2C_HEADER_BYTES = 28;

/** `"ak42"` read as a little-endian uint32: the magic of llama2.c's version >= 1 exports. */
const LLAMA2C_V1_MAGIC = 0x616b3432;

/** The 7 header fields of a legacy llama2.c checkpoint, plus what follows from them. */
export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  /** Always positive; the sign in the file only says whether the classifier is shared. */
  vocabSize: number;
  seqLen: number;
  /** True when the file's vocab_size is positive: the classifier is the token embedding. */
  sharedClassifier: boolean;
  /** dim / n_heads, as llama2.c's run.c computes it. */
  headSize: number;
  /** n_kv_heads * head_size: rows of wk and wv. */
  kvDim: number;
}

const FIELDS = ['dim', 'hidden_dim', 'n_layers', 'n_heads', 'n_kv_heads', 'vocab_size', 'seq_len'] as const;

/**
 * Parses and validates the 28-byte header. `bytes` must hold at least the header;
 * `file` only names the checkpoint in error messages.
 */
export function parseLlama2cHeader(bytes: Uint8Array, file: string): Llama2cHeader {
  if (bytes.byteLength < LLAMA2C_HEADER_BYTES) {
    throw new ConvertError(
      'CHECKPOINT_TOO_SMALL',
      `${file}: ${bytes.byteLength} bytes, shorter than the ${LLAMA2C_HEADER_BYTES}-byte llama2.c header`,
      { file, limit: LLAMA2C_HEADER_BYTES },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, LLAMA2C_HEADER_BYTES);
  if (view.getUint32(0, true) === LLAMA2C_V1_MAGIC) {
    // Version >= 1 files (export.py --version 1/2) reorder the weights and may be
    // quantized; run.c itself reads only the legacy layout, as do the fixtures.
    throw new ConvertError(
      'CHECKPOINT_UNSUPPORTED_VERSION',
      `${file}: starts with the "ak42" magic of a llama2.c version ${view.getInt32(4, true)} export; only the legacy (version 0) layout that run.c reads is supported (re-export with export.py --version 0)`,
      { file, field: 'magic' },
    );
  }
  const raw = FIELDS.map((_, i) => view.getInt32(i * 4, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, signedVocab, seqLen] = raw;
  const vocabSize = Math.abs(signedVocab);

  const check = (field: string, value: number, limit: number): void => {
    if (!(value >= 1 && value <= limit)) {
      throw new ConvertError(
        'CHECKPOINT_HEADER_INVALID',
        `${file}: header field ${field} = ${value} is outside [1, ${limit}]; the file is not a llama2.c checkpoint or is corrupt`,
        { file, field, limit },
      );
    }
  };
  check('dim', dim, LLAMA2C_LIMITS.maxDim);
  check('hidden_dim', hiddenDim, LLAMA2C_LIMITS.maxHiddenDim);
  check('n_layers', nLayers, LLAMA2C_LIMITS.maxLayers);
  check('n_heads', nHeads, LLAMA2C_LIMITS.maxHeads);
  check('n_kv_heads', nKvHeads, LLAMA2C_LIMITS.maxHeads);
  check('vocab_size', vocabSize, LLAMA2C_LIMITS.maxVocabSize);
  check('seq_len', seqLen, LLAMA2C_LIMITS.maxSeqLen);

  const invalid = (field: string, message: string): never => {
    throw new ConvertError('CHECKPOINT_HEADER_INVALID', `${file}: ${message}`, { file, field });
  };
  if (dim % nHeads !== 0) invalid('n_heads', `dim ${dim} is not a multiple of n_heads ${nHeads}`);
  const headSize = dim / nHeads;
  // Rotary embedding pairs up the dimensions of a head, so the head size must be even.
  if (headSize % 2 !== 0) invalid('n_heads', `head size dim/n_heads = ${headSize} is odd; rotary embedding needs an even head size`);
  if (nKvHeads > nHeads || nHeads % nKvHeads !== 0) {
    invalid('n_kv_heads', `n_heads ${nHeads} is not a multiple of n_kv_heads ${nKvHeads}`);
  }
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize,
    seqLen,
    sharedClassifier: signedVocab > 0,
    headSize,
    kvDim: nKvHeads * headSize,
  };
}
