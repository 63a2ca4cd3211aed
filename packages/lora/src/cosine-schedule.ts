// Learning-rate multiplier of transformers' get_cosine_schedule_with_warmup
// (num_cycles = 0.5): linear warmup from 0, then half a cosine down to 0.
// `step` is the number of optimizer updates already done (LambdaLR's epoch).

export function cosineWithWarmup(step: number, warmupSteps: number, totalSteps: number, numCycles = 0.5): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
}
