// The gate every command passes before reading or writing a model: openModelDir
// calls it, and so do the tools that take an already opened ModelDir (prune's
// planner, the model loader) so that no path skips it.
import { checkModelWeights, type ModelWeightsView } from './check-model-weights.js';
import { ArchitectureError } from './errors.js';

/**
 * Throws the first problem checkModelWeights finds (WEIGHTS_MISMATCH,
 * TENSOR_MISSING, SHAPE_MISMATCH, DTYPE_MISMATCH, TENSOR_UNEXPECTED), its message
 * saying how many more there are, so one run shows the whole extent of a bad edit.
 */
export function validateModelWeights(model: ModelWeightsView): void {
  const problems = checkModelWeights(model);
  if (problems.length === 0) return;
  const [first] = problems;
  if (problems.length === 1) throw first;
  const more = problems.length - 1;
  throw new ArchitectureError(first.code, `${first.message} (and ${more} more problem${more === 1 ? '' : 's'} with ${model.dir})`, {
    file: first.file,
    tensor: first.tensor,
    field: first.field,
    limit: first.limit,
    expected: first.expected,
    found: first.found,
  });
}
