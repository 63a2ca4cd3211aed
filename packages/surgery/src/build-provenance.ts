// The provenance record written as layerprune.json next to the pruned weights:
// enough to tell which model was cut, how, by which tool version and when, and
// to verify the source by hash. A source that was itself pruned keeps its own
// record under source.provenance, so chains of surgery stay traceable.
import type { ConfigChange } from './rewrite-config.js';
import type { RemovalPlan } from './removal-plan.js';

export interface SourceWeightFile {
  /** Name relative to the source model directory. */
  file: string;
  bytes: number;
  sha256: string;
}

export interface Provenance {
  tool: '@layerprune/surgery';
  version: string;
  createdAt: string;
  operation: 'remove-blocks';
  source: {
    path: string;
    modelType: string;
    numHiddenLayers: number;
    weights: SourceWeightFile[];
    provenance: unknown;
  };
  plan: Pick<RemovalPlan, 'spec' | 'numLayersBefore' | 'numLayersAfter' | 'kept' | 'removed' | 'removedBlocks' | 'oldToNew'>;
  configChanges: ConfigChange[];
  parameters: { before: number; after: number };
  output: { weights: Array<{ file: string; bytes: number }> };
  warnings: string[];
}

export interface ProvenanceInput {
  version: string;
  createdAt: Date;
  sourcePath: string;
  modelType: string;
  sourceWeights: SourceWeightFile[];
  sourceProvenance: unknown;
  plan: RemovalPlan;
  configChanges: ConfigChange[];
  parameters: { before: number; after: number };
  outputWeights: Array<{ file: string; bytes: number }>;
  warnings: string[];
}

export function buildProvenance(input: ProvenanceInput): Provenance {
  const { plan } = input;
  return {
    tool: '@layerprune/surgery',
    version: input.version,
    createdAt: input.createdAt.toISOString(),
    operation: 'remove-blocks',
    source: {
      path: input.sourcePath,
      modelType: input.modelType,
      numHiddenLayers: plan.numLayersBefore,
      weights: input.sourceWeights,
      provenance: input.sourceProvenance ?? null,
    },
    plan: {
      spec: plan.spec,
      numLayersBefore: plan.numLayersBefore,
      numLayersAfter: plan.numLayersAfter,
      kept: plan.kept,
      removed: plan.removed,
      removedBlocks: plan.removedBlocks,
      oldToNew: plan.oldToNew,
    },
    configChanges: input.configChanges,
    parameters: input.parameters,
    output: { weights: input.outputWeights },
    warnings: input.warnings,
  };
}
