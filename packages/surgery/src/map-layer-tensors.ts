// Decides each tensor's fate from its name alone: tensors of removed blocks are
// dropped, tensors of kept blocks get their new index through the name template
// `model.layers.${i}.<suffix>`, and every other tensor (embeddings, final norm,
// lm_head...) is kept under its own name.
import { layerTensorName, parseLayerTensorName } from '@layerprune/architectures';
import { SurgeryError } from './errors.js';
import type { RemovalPlan } from './removal-plan.js';

export interface TensorMove {
  /** Name in the source model. */
  from: string;
  /** Name in the pruned model. */
  to: string;
  /** Old block index, or null for a non-layer tensor. */
  oldLayer: number | null;
  /** New block index, or null for a non-layer tensor. */
  newLayer: number | null;
}

export interface TensorMapping {
  /** Kept tensors, in source order. */
  moves: TensorMove[];
  /** Names of the tensors of removed blocks. */
  dropped: string[];
}

/** Map every source tensor name through the plan; `file` names the weights in errors. */
export function mapLayerTensors(names: readonly string[], plan: RemovalPlan, file = 'weights'): TensorMapping {
  const moves: TensorMove[] = [];
  const dropped: string[] = [];
  for (const name of names) {
    const parsed = parseLayerTensorName(name);
    if (parsed === null) {
      moves.push({ from: name, to: name, oldLayer: null, newLayer: null });
      continue;
    }
    if (parsed.layer >= plan.numLayersBefore) {
      throw new SurgeryError(
        'MODEL_INVALID',
        `${file}: tensor ${name} belongs to layer ${parsed.layer} but config.json has num_hidden_layers=${plan.numLayersBefore}`,
        { file, layer: parsed.layer, limit: plan.numLayersBefore },
      );
    }
    const newLayer = plan.oldToNew[parsed.layer];
    if (newLayer === null) dropped.push(name);
    else moves.push({ from: name, to: layerTensorName(newLayer, parsed.suffix), oldLayer: parsed.layer, newLayer });
  }
  return { moves, dropped };
}
