// Named limits for every size read from an input file. They are far above any
// real llama2.c model (Llama-2-70B: dim 8192, 80 layers, vocab 32000) and exist so
// that a garbled header fails with a typed error instead of a huge allocation.

export const LLAMA2C_LIMITS = {
  /** Largest `dim` accepted. */
  maxDim: 1 << 16,
  /** Largest `hidden_dim` accepted. */
  maxHiddenDim: 1 << 18,
  /** Largest `n_layers` accepted. */
  maxLayers: 1 << 10,
  /** Largest `n_heads` / `n_kv_heads` accepted. */
  maxHeads: 1 << 10,
  /** Largest `|vocab_size|` accepted. */
  maxVocabSize: 1 << 22,
  /** Largest `seq_len` accepted. */
  maxSeqLen: 1 << 22,
} as const;

export const TOKENIZER_LIMITS = {
  /** Largest byte length of one piece in a llama2.c tokenizer .bin (Llama-2's longest is 16 bytes). */
  maxPieceBytes: 1 << 16,
  /** Largest sentencepiece .model / tokenizer .bin file read (Llama-2's .model is 500 KB). */
  maxFileBytes: 1 << 28,
  /** Most pieces accepted in one tokenizer (Llama-2: 32000; Gemma: 256000). */
  maxPieces: 1 << 22,
} as const;

/** Largest number of bytes moved by one positioned read (libuv caps one call near 2 GiB). */
export const MAX_READ_CHUNK_BYTES = 1 << 30;
