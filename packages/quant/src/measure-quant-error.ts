/** How far a dequantized tensor is from the original, in float64. */
export interface QuantErrorStats {
  count: number;
  /** sqrt(mean (w - w')^2). */
  rmse: number;
  /** Population standard deviation of the original weights. */
  std: number;
  /** rmse / std: 0.092 is typical of NF4 with blocks of 64 on Gaussian weights. */
  relativeRmse: number;
  maxAbsError: number;
  /** Sums kept so totals over many tensors can be pooled exactly. */
  sumSquaredError: number;
  sumSquaredDeviation: number;
}

/** Compares `restored` with `original` element by element. */
export function measureQuantError(original: Float32Array, restored: Float32Array): QuantErrorStats {
  const n = original.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += original[i];
  mean = n === 0 ? 0 : mean / n;
  let sumSquaredError = 0;
  let sumSquaredDeviation = 0;
  let maxAbsError = 0;
  for (let i = 0; i < n; i++) {
    const e = original[i] - restored[i];
    sumSquaredError += e * e;
    const d = original[i] - mean;
    sumSquaredDeviation += d * d;
    const a = Math.abs(e);
    if (a > maxAbsError) maxAbsError = a;
  }
  const rmse = n === 0 ? 0 : Math.sqrt(sumSquaredError / n);
  const std = n === 0 ? 0 : Math.sqrt(sumSquaredDeviation / n);
  return { count: n, rmse, std, relativeRmse: std === 0 ? 0 : rmse / std, maxAbsError, sumSquaredError, sumSquaredDeviation };
}
