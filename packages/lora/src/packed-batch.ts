// A micro-batch of packed sequences as every trainer takes it: checked (one
// length >= 2, token ids inside the vocabulary) and embedded in plain TS (the
// embeddings are frozen, so x(0) needs no gradient).
import { LoraError } from './lora-error.js';
import type { TokenBatch } from './trainer/lora-trainer.js';

/** The common sequence length; LoraError DATA_TOO_SHORT unless every sequence has one length >= 2. */
export function checkPackedBatch(batch: TokenBatch): number {
  const seqLen = batch[0]?.length ?? 0;
  if (seqLen < 2 || batch.some((s) => s.length !== seqLen)) {
    throw new LoraError('DATA_TOO_SHORT', `a micro-batch needs sequences of one length >= 2 (packed), got lengths ${batch.map((s) => s.length).join(', ')}`, { limit: 2 });
  }
  return seqLen;
}

/**
 * Embedding rows [batch * seqLen, hidden] of `embedding` [vocab, hidden], times `scale`
 * (the Architecture's embeddingScale: Gemma's float32 sqrt(hidden), else 1); LoraError
 * TOKEN_OUT_OF_RANGE names the position of a bad id.
 */
export function embedBatch(embedding: Float32Array, hidden: number, vocab: number, batch: TokenBatch, seqLen: number, scale = 1): Float32Array {
  const out = new Float32Array(batch.length * seqLen * hidden);
  batch.forEach((seq, b) => {
    for (let t = 0; t < seqLen; t++) {
      const id = seq[t];
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new LoraError('TOKEN_OUT_OF_RANGE', `token id ${id} at sequence ${b}, position ${t} is outside the vocabulary [0, ${vocab})`, { limit: vocab });
      }
      out.set(embedding.subarray(id * hidden, (id + 1) * hidden), (b * seqLen + t) * hidden);
    }
  });
  // Stored into a Float32Array, the float64 product of two float32 values rounds as torch's float32 multiply does.
  if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}
