// Similarity of two vectors (one token's hidden state at two depths). All sums are
// accumulated in float64 whatever the input type, so float32 states of width 8192
// lose nothing to rounding; the cosine is clamped to [-1, 1] before arccos (rounding
// can push |cos| a few ulps past 1, and arccos would return NaN there).
import { SimilarityError } from './similarity-error.js';

/** Float32Array, Float64Array or a plain array: anything indexable with a length. */
export type Vector = ArrayLike<number>;

function checkPair(a: Vector, b: Vector): void {
  if (a.length !== b.length) {
    throw new SimilarityError('LENGTH_MISMATCH', `vectors have different lengths: ${a.length} and ${b.length}`, {
      limit: a.length,
    });
  }
  if (a.length === 0) throw new SimilarityError('EMPTY_VECTOR', 'vectors are empty: a similarity needs length >= 1');
}

function checkNorm(squaredNorm: number, which: string): void {
  if (!Number.isFinite(squaredNorm)) {
    throw new SimilarityError('NON_FINITE', `vector ${which} contains NaN or Infinity (squared norm ${squaredNorm})`);
  }
  if (squaredNorm === 0) {
    throw new SimilarityError('ZERO_VECTOR', `vector ${which} is the zero vector: its direction, and so the cosine, is undefined`);
  }
}

/** Cosine similarity <a, b> / (|a| |b|), clamped to [-1, 1]. Throws `ZERO_VECTOR` if either vector is zero. */
export function cosineSimilarity(a: Vector, b: Vector): number {
  checkPair(a, b);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  checkNorm(aa, 'a');
  checkNorm(bb, 'b');
  return clampCosine(dot / normProduct(aa, bb));
}

/**
 * |a| |b| from the squared norms. sqrt(aa * bb) is exact for a == b (so cos(a, a) is
 * exactly 1); the product cannot overflow for float32 data, but float64 input may,
 * and then the norms are multiplied separately.
 */
export function normProduct(squaredNormA: number, squaredNormB: number): number {
  const product = squaredNormA * squaredNormB;
  return Number.isFinite(product) && product > 0
    ? Math.sqrt(product)
    : Math.sqrt(squaredNormA) * Math.sqrt(squaredNormB);
}

/** Clamps a cosine computed with rounding error into [-1, 1]. */
export function clampCosine(cosine: number): number {
  return cosine > 1 ? 1 : cosine < -1 ? -1 : cosine;
}

/** arccos(clamp(cos, -1, 1)) / pi, in [0, 1]: 0 for parallel, 0.5 orthogonal, 1 opposite vectors. */
export function angularDistanceFromCosine(cosine: number): number {
  if (Number.isNaN(cosine)) throw new SimilarityError('NON_FINITE', 'cosine is NaN');
  return Math.acos(clampCosine(cosine)) / Math.PI;
}

/** The paper's angular distance between two hidden states: arccos(cos(a, b)) / pi, in [0, 1]. */
export function angularDistance(a: Vector, b: Vector): number {
  return angularDistanceFromCosine(cosineSimilarity(a, b));
}

/**
 * Relative magnitude of a block's update, |f(x)| / |x + f(x)| where `input` = x and
 * `output` = x + f(x). The difference is summed directly (not from norms and a dot
 * product) so that tiny updates keep their precision. Throws `ZERO_VECTOR` if the
 * output is zero.
 */
export function relativeMagnitude(input: Vector, output: Vector): number {
  checkPair(input, output);
  let diff = 0;
  let out = 0;
  for (let i = 0; i < input.length; i++) {
    const d = output[i] - input[i];
    diff += d * d;
    out += output[i] * output[i];
  }
  if (!Number.isFinite(diff)) throw new SimilarityError('NON_FINITE', 'input or output contains NaN or Infinity');
  checkNorm(out, 'output');
  return Math.sqrt(diff) / Math.sqrt(out);
}
