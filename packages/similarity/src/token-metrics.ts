// Metrics averaged over every token of a sequence: ShortGPT's Block Influence and
// the per-token angular distance. States are row-major [tokens, hiddenSize].
import { SimilarityError } from './similarity-error.js';
import { angularDistanceFromCosine, cosineSimilarity, type Vector } from './vector-metrics.js';

function tokenCount(input: Vector, output: Vector, hiddenSize: number): number {
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1) {
    throw new SimilarityError('LENGTH_MISMATCH', `hiddenSize must be a positive integer, got ${hiddenSize}`);
  }
  if (input.length !== output.length || input.length % hiddenSize !== 0 || input.length === 0) {
    throw new SimilarityError(
      'LENGTH_MISMATCH',
      `states must both be [tokens, ${hiddenSize}]: got ${input.length} and ${output.length} values`,
      { limit: hiddenSize },
    );
  }
  return input.length / hiddenSize;
}

function row(values: Vector, t: number, hiddenSize: number): Vector {
  // subarray avoids a copy for typed arrays; plain arrays get a slice.
  const start = t * hiddenSize;
  return ArrayBuffer.isView(values)
    ? (values as unknown as Float32Array).subarray(start, start + hiddenSize)
    : Array.prototype.slice.call(values, start, start + hiddenSize);
}

function meanOverTokens(input: Vector, output: Vector, hiddenSize: number, fn: (cos: number) => number): number {
  const tokens = tokenCount(input, output, hiddenSize);
  let sum = 0;
  for (let t = 0; t < tokens; t++) {
    let cos: number;
    try {
      cos = cosineSimilarity(row(input, t, hiddenSize), row(output, t, hiddenSize));
    } catch (error) {
      if (error instanceof SimilarityError) {
        throw new SimilarityError(error.code, `token ${t}: ${error.message}`, { token: t });
      }
      throw error;
    }
    sum += fn(cos);
  }
  return sum / tokens;
}

/**
 * ShortGPT's Block Influence, 1 - mean over tokens of cos(input_t, output_t), in [0, 2]
 * (0: the block leaves every token's direction unchanged).
 */
export function blockInfluence(input: Vector, output: Vector, hiddenSize: number): number {
  return 1 - meanOverTokens(input, output, hiddenSize, (cos) => cos);
}

/** Angular distance averaged over all tokens, in [0, 1]. */
export function meanAngularDistance(input: Vector, output: Vector, hiddenSize: number): number {
  return meanOverTokens(input, output, hiddenSize, angularDistanceFromCosine);
}
