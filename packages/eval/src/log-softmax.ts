// Log-softmax of one logits row, in float64. The model computes in float32; the
// normaliser is accumulated in double so that summing hundreds of token
// log-probabilities does not add float32 rounding on top of the model's own.

/** log(sum(exp(row))) for row = logits[offset, offset + size), computed stably. */
export function logSumExp(logits: Float32Array, offset: number, size: number): number {
  let max = -Infinity;
  for (let i = offset; i < offset + size; i += 1) {
    const v = logits[i];
    if (v > max) max = v;
  }
  if (max === -Infinity || Number.isNaN(max)) return max;
  let sum = 0;
  for (let i = offset; i < offset + size; i += 1) sum += Math.exp(logits[i] - max);
  return max + Math.log(sum);
}

/** Index of the largest entry of the row (the first one on ties, like numpy/torch argmax). */
export function argmaxRow(logits: Float32Array, offset: number, size: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < size; i += 1) {
    const v = logits[offset + i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}
