// Folds one adapter into its base weight in place: W[o, i] += s * sum_k B[o, k] A[k, i].
// Plain TypeScript over typed arrays; the row of B is hoisted so the inner loop
// is a contiguous axpy over A's rows.
import type { LoraPair } from './lora-adapters.js';

export function mergeLoraWeight(weight: Float32Array, pair: Pick<LoraPair, 'a' | 'b' | 'inFeatures' | 'outFeatures'>, rank: number, scaling: number): Float32Array {
  const { a, b, inFeatures: inF, outFeatures: out } = pair;
  const row = new Float64Array(inF);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < rank; k++) {
      const coef = b[o * rank + k];
      if (coef === 0) continue;
      const aRow = k * inF;
      for (let i = 0; i < inF; i++) row[i] += coef * a[aRow + i];
    }
    const wRow = o * inF;
    for (let i = 0; i < inF; i++) weight[wRow + i] += scaling * row[i];
  }
  return weight;
}
