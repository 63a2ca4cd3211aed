// Seeded sampling for generation: @layerprune/data's SeededRng (xoshiro128**, the
// one generator of layerprune) seeded from any non-negative safe integer, drawing
// 53-bit floats, so sampling is reproducible across runs and platforms without
// depending on Math.random.
import { SeededRng } from '@layerprune/data';

/** Returns a generator of uniform floats in [0, 1) (53 random bits) for a non-negative integer seed. */
export function createRng(seed: number): () => number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const rng = SeededRng.fromSafeInteger(seed);
  return () => rng.nextFloat53();
}
