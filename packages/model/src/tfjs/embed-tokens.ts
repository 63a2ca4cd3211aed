// Embedding lookup as a plain row copy outside tfjs: the embeddings are frozen,
// and tf.gather has no gradient on wasm, so the lookup never enters a tape.

/**
 * rows [ids.length, hidden] of `table` ([vocab, hidden]), times `scale` (Gemma's
 * sqrt(hidden); a float32 scale gives torch's float32 product); ids are assumed in range.
 */
export function embedTokens(table: Float32Array, hidden: number, ids: ArrayLike<number>, scale = 1): Float32Array {
  const out = new Float32Array(ids.length * hidden);
  for (let i = 0; i < ids.length; i++) {
    const start = ids[i] * hidden;
    const row = table.subarray(start, start + hidden);
    if (scale === 1) out.set(row, i * hidden);
    else for (let j = 0; j < hidden; j++) out[i * hidden + j] = row[j] * scale;
  }
  return out;
}
