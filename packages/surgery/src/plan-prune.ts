// Everything a prune will do, computed from the model's config and safetensors
// headers only (no tensor data is read, nothing is written): the resolved plan,
// the tensor renames, the rewritten config and the size before and after. The
// CLI prints this; pruneModel executes it.
import { validateModelWeights, type ModelDir } from '@layerprune/architectures';
import { mapLayerTensors, type TensorMapping } from './map-layer-tensors.js';
import type { RemovalPlan, RemovalSpec, ResolvePlanOptions } from './removal-plan.js';
import { resolveRemovalPlan } from './resolve-removal-plan.js';
import { rewriteConfig, type RewrittenConfig } from './rewrite-config.js';

export interface PrunePreview {
  inputDir: string;
  plan: RemovalPlan;
  mapping: TensorMapping;
  config: RewrittenConfig;
  parameters: { before: number; after: number };
  /** Sum of tensor byte lengths (headers excluded). */
  tensorBytes: { before: number; after: number };
  tensors: { before: number; after: number };
}

/**
 * Resolve `spec` against an opened model and work out the result without writing.
 * The weights are checked against config.json first (TensorIoError
 * WEIGHTS_MISMATCH / TENSOR_MISSING / SHAPE_MISMATCH / TENSOR_UNEXPECTED...),
 * also for a ModelDir opened with `validate: false`: renumbering an
 * inconsistent model would write an invalid one.
 */
export function planPrune(model: ModelDir, spec: RemovalSpec, options: ResolvePlanOptions = {}): PrunePreview {
  validateModelWeights(model);
  const plan = resolveRemovalPlan(spec, model.config.numHiddenLayers, options);
  const names = model.weights.names();
  const configFile = `${model.dir}/config.json`;
  const mapping = mapLayerTensors(names, plan, model.weights.files.length === 1 ? model.weights.files[0] : model.dir);
  const config = rewriteConfig(model.rawConfig, plan, configFile, { layerTypes: model.config.layerTypes });
  let paramsBefore = 0;
  let bytesBefore = 0;
  const sizeOf = new Map<string, { params: number; bytes: number }>();
  for (const name of names) {
    const info = model.weights.info(name);
    const params = info.shape.reduce((a, b) => a * b, 1);
    sizeOf.set(name, { params, bytes: info.byteLength });
    paramsBefore += params;
    bytesBefore += info.byteLength;
  }
  let paramsAfter = 0;
  let bytesAfter = 0;
  for (const move of mapping.moves) {
    const size = sizeOf.get(move.from)!;
    paramsAfter += size.params;
    bytesAfter += size.bytes;
  }
  return {
    inputDir: model.dir,
    plan,
    mapping,
    config,
    parameters: { before: paramsBefore, after: paramsAfter },
    tensorBytes: { before: bytesBefore, after: bytesAfter },
    tensors: { before: names.length, after: mapping.moves.length },
  };
}
