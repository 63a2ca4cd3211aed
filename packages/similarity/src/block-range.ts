// Blocks of consecutive layers as half-open ranges [start, end), and the paper's
// simple pruning rule, which needs no distances at all.
import { SimilarityError } from './similarity-error.js';

/** Layers start, start+1, ..., end-1 (0-based, half-open). */
export interface BlockRange {
  readonly start: number;
  readonly end: number;
}

/** Throws `BLOCK_SIZE_OUT_OF_RANGE` unless 1 <= n <= numLayers - 1 (dropping every layer is not pruning). */
export function checkBlockSize(numLayers: number, n: number): void {
  if (!Number.isInteger(numLayers) || numLayers < 2) {
    throw new SimilarityError('BLOCK_SIZE_OUT_OF_RANGE', `a model needs at least 2 layers to prune a block, got ${numLayers}`, {
      limit: 2,
    });
  }
  if (!Number.isInteger(n) || n < 1 || n > numLayers - 1) {
    throw new SimilarityError(
      'BLOCK_SIZE_OUT_OF_RANGE',
      `block size n=${n} is out of range for ${numLayers} layers: expected an integer in [1, ${numLayers - 1}]`,
      { limit: numLayers - 1 },
    );
  }
}

/**
 * The paper's simple heuristic: drop the deepest n blocks except the final one,
 * i.e. [L-n-1, L-1). Needs healing afterwards to match the similarity method.
 */
export function simpleRulePlan(numLayers: number, n: number): BlockRange {
  checkBlockSize(numLayers, n);
  return { start: numLayers - n - 1, end: numLayers - 1 };
}
