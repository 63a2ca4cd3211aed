// The seeded random numbers of every layerprune package, in one place: the same
// seed gives the same numbers on every run, platform and Node version, which
// Math.random() cannot promise. Not for cryptography.
//
// - `SeededRng` (xoshiro128**, Blackman & Vigna, state filled by splitmix32):
//   the general generator. Its whole state is four 32-bit words, so a
//   checkpoint can save it (`getState`) and a resumed run continues the exact
//   same stream; `fork` gives independent streams for sub-tasks. LoRA uses it for
//   initialisation, dropout and data order; generation uses it for sampling
//   (`SeededRng.fromSafeInteger`, 53-bit floats).
// - `createRandom` (mulberry32): the one-word generator that picks calibration
//   documents (`sampleDocuments`) and evaluation items (eval's `selectItems`).
//   It stays a separate algorithm only because results recorded with it (the
//   documents a seed picks, hence analysis tables and reports) must not change.
import { DataError } from './data-error.js';

/** The four 32-bit words of a SeededRng (unsigned). */
export type RngState = [number, number, number, number];

const TWO_TO_32 = 4294967296;

/** splitmix32: a counter through a mixing function; spreads one seed over the four words of state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class SeededRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * From a 32-bit seed (its low 32 bits are used: `seed >>> 0`) or from a saved
   * state. The all-zero state, a fixed point of the generator, becomes [1, 0, 0, 0].
   */
  constructor(seed: number | RngState) {
    if (Array.isArray(seed)) {
      [this.s0, this.s1, this.s2, this.s3] = seed.map((v) => v >>> 0) as RngState;
    } else {
      const next = splitmix32(seed);
      this.s0 = next();
      this.s1 = next();
      this.s2 = next();
      this.s3 = next();
    }
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * From any non-negative safe integer (up to 2^53 - 1), so seeds above 2^32 do not
   * alias smaller ones: the high bits are mixed into words 0 and 2. A different
   * stream from `new SeededRng(seed)` even for small seeds (generation's `--seed`).
   */
  static fromSafeInteger(seed: number): SeededRng {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new DataError('INVALID_ARGUMENT', `seed must be a non-negative safe integer, got ${seed}`, { field: 'seed' });
    }
    const low = splitmix32(seed >>> 0);
    const high = splitmix32(Math.floor(seed / TWO_TO_32) ^ 0x5bd1e995);
    const s0 = low() ^ high();
    const s1 = low();
    const s2 = low() ^ high();
    const s3 = low();
    return new SeededRng([s0, s1, s2, s3]);
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (one draw). */
  nextFloat(): number {
    return this.nextUint32() / TWO_TO_32;
  }

  /** Uniform in [0, 1) with 53 bits of resolution (two draws: the top 27 and 26 bits). */
  nextFloat53(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** Fills `out` with U(low, high). */
  fillUniform(out: Float32Array | Float64Array, low: number, high: number): void {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * (this.nextUint32() / TWO_TO_32);
  }

  /**
   * Inverted-dropout mask: out[i] = 0 when nextFloat() < p, else `keep`; the
   * same values and final state as that loop, with the state in locals (LoRA
   * draws millions per block: ~5x faster than a nextFloat() call per value).
   */
  fillDropoutMask(out: Float32Array, p: number, keep: number): void {
    // nextFloat() < p  <=>  u32 < p * 2^32, both sides exact in float64.
    const threshold = p * TWO_TO_32;
    let s0 = this.s0 | 0;
    let s1 = this.s1 | 0;
    let s2 = this.s2 | 0;
    let s3 = this.s3 | 0;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = result < threshold ? 0 : keep;
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  /** A fresh generator seeded from this one (independent streams for sub-tasks). */
  fork(): SeededRng {
    return new SeededRng([this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()]);
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The current state: `new SeededRng(state)` continues the same stream. */
  getState(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

/** mulberry32: uniform numbers in [0, 1) (32 bits) from an integer seed (its low 32 bits). */
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
    return ((t ^ (t >>> 14)) >>> 0) / TWO_TO_32;
  };
}
