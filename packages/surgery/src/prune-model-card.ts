// What a prune did, as the lines of the pruned model's card (README.md): the
// blocks removed as half-open ranges, the layer counts, the method and the
// parameter counts. The card itself is rendered by @layerprune/tensor-io.
import type { RecordedSpec, RemovalPlan } from './removal-plan.js';

function ranges(blocks: Array<[number, number]>): string {
  return blocks.map(([start, end]) => `[${start}, ${end})`).join(', ');
}

/** The request, in words. */
export function describeSpec(spec: RecordedSpec): string {
  switch (spec.kind) {
    case 'drop-block':
      return `drop-block [${spec.start}, ${spec.end})`;
    case 'drop-blocks':
      return `drop-blocks ${ranges(spec.blocks)}`;
    case 'drop-layers':
      return `drop-layers ${spec.layers.join(', ')}`;
    case 'keep-slices':
      return `keep-slices ${ranges(spec.slices)}`;
    case 'drop-deepest':
      return `drop-deepest n=${spec.n} (the deepest ${spec.n} blocks but the final one)`;
    case 'from-analysis': {
      const distance = spec.distance === null ? '' : `, angular distance ${spec.distance}`;
      return `from-analysis n=${spec.n}: the block [${spec.start}, ${spec.end}) whose input and output are closest${distance} (${spec.file ?? 'analysis'})`;
    }
  }
}

export function pruneCardDetails(plan: RemovalPlan, parameters: { before: number; after: number }, provenanceFile: string): string[] {
  const removed = plan.removed.length;
  return [
    `Blocks removed: ${ranges(plan.removedBlocks)} (half-open, 0-based; ${removed} of ${plan.numLayersBefore} blocks)`,
    `Layers: ${plan.numLayersBefore} before, ${plan.numLayersAfter} after`,
    `Method: ${describeSpec(plan.spec)}`,
    `Parameters: ${parameters.before} before, ${parameters.after} after`,
    'Kept blocks are renumbered contiguously; tensors are copied unchanged, in their source dtype',
    `Provenance (source hashes, plan, config changes): ${provenanceFile}`,
  ];
}
