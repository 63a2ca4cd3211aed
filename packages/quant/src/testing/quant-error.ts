/** sqrt(mean squared error) / population std of `original`, in float64. */
export function relativeRmse(original: Float32Array, restored: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < original.length; i++) mean += original[i];
  mean /= original.length;
  let err = 0;
  let variance = 0;
  for (let i = 0; i < original.length; i++) {
    err += (original[i] - restored[i]) ** 2;
    variance += (original[i] - mean) ** 2;
  }
  return Math.sqrt(err / variance);
}
