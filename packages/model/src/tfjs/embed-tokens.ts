// Embedding lookup as a plain row copy outside tfjs: the embeddings are frozen,
// and tf.gather has no gradient on wasm, so the lookup never enters a tape.

/** rows [ids.length, hidden] of `table` ([vocab, hidden]); ids are assumed in range. */
export function embedTokens(table: Float32Array, hidden: number, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length * hidden);
  for (let i = 0; i < ids.length; i++) {
    const start = ids[i] * hidden;
    out.set(table.subarray(start, start + hidden), i * hidden);
  }
  return out;
}
