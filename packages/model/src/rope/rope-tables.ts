// cos/sin tables for rotate-half rotary embeddings: row p holds
// cos(angle(p, i mod headDim/2)) for i in [0, headDim), i.e. torch.cat((freqs, freqs)).
// Angles are rounded to float32 like transformers' float32 `inv_freq @ position_ids`.

export interface RopeTables {
  /** [positions.length, headDim] row-major. */
  cos: Float32Array;
  sin: Float32Array;
}

/** Tables for `positions`, each value multiplied by `scale` (the attention scale is folded into q's tables). */
export function ropeTables(invFreq: Float64Array, positions: ArrayLike<number>, scale = 1): RopeTables {
  const half = invFreq.length;
  const headDim = 2 * half;
  const cos = new Float32Array(positions.length * headDim);
  const sin = new Float32Array(positions.length * headDim);
  for (let p = 0; p < positions.length; p++) {
    const row = p * headDim;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(positions[p] * invFreq[i]);
      const c = Math.cos(angle) * scale;
      const s = Math.sin(angle) * scale;
      cos[row + i] = c;
      cos[row + half + i] = c;
      sin[row + i] = s;
      sin[row + half + i] = s;
    }
  }
  return { cos, sin };
}
