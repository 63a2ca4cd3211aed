// A small seeded PRNG (mulberry32): the same seed gives the same sequence on every
// run, platform and Node version, which Math.random() cannot promise. 32 bits of
// state is plenty for sampling documents; it is not for cryptography.
import { DataError } from './data-error.js';

/** Returns a generator of uniform numbers in [0, 1) seeded by a 32-bit integer. */
export function createRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) {
    throw new DataError('INVALID_ARGUMENT', `seed must be an integer, got ${seed}`, { field: 'seed' });
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
