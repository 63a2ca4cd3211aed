// analysis.json: the one format both `layerprune analyze` and `layerprune run`
// write, and that `layerprune prune --from-analysis` reads (its `optimal` list).
import { similarityMetricInfo, simpleRulePlan, type DistanceTable, type SimilarityMetric } from '@layerprune/similarity';

export interface BlockRecommendation {
  n: number;
  start: number;
  end: number;
  distance: number;
  standardError: number | null;
  /** The paper's simple rule [L-n-1, L-1) and its distance, for comparison. */
  simpleRule: { start: number; end: number; distance: number };
}

/** The best block of every size n, next to the simple rule's block. */
export function blockRecommendations(table: DistanceTable): BlockRecommendation[] {
  return table.recommendations().map((best) => {
    const rule = simpleRulePlan(table.numLayers, best.n);
    return { ...best, simpleRule: { ...rule, distance: table.value(best.n, rule.start) } };
  });
}

export interface AnalysisDocumentInput {
  table: DistanceTable;
  metric: SimilarityMetric;
  toolVersion: string;
  /** engine: "onnx" or "tfjs"; backend: the device or TensorFlow.js backend it ran on. */
  model: { dir: string; modelType: string; engine: string; backend: string; mode: string };
  data: { file: string; format: string; seed: number; samplesRequested: number; seqLen: number; sampled: number; truncated: number };
}

export function analysisDocument(input: AnalysisDocumentInput): Record<string, unknown> {
  const { table } = input;
  const recommendations = blockRecommendations(table);
  return {
    format: 'layerprune.analysis',
    version: 1,
    tool: { name: 'layerprune', version: input.toolVersion },
    model: { ...input.model, numLayers: table.numLayers },
    data: input.data,
    metric: input.metric,
    metricDescription: similarityMetricInfo(input.metric).description,
    numLayers: table.numLayers,
    samples: table.samples,
    tokens: table.tokens,
    optimal: recommendations.map(({ n, start, end, distance, standardError }) => ({ n, start, end, distance, standardError })),
    simpleRule: recommendations.map(({ n, simpleRule }) => ({ n, ...simpleRule })),
    table: table.toJSON(),
  };
}
