// The data a report is made from: `results.json` of `layerprune run`. Plain JSON,
// versioned, so a report can be rebuilt from a results file alone.

export const RESULTS_SCHEMA_VERSION = 1;

/** How to read one evaluation metric. */
export interface MetricSpec {
  /** Key in the metric maps, e.g. "loss" or "mmlu.acc". */
  key: string;
  /** Human label, e.g. "held-out loss (nats/token)". */
  label: string;
  better: 'lower' | 'higher';
  /** Score of a uniform guess, drawn as a rule (e.g. 0.25 for 4-choice accuracy). */
  chance?: number;
  format?: 'percent' | 'number';
  /** Number of items or tokens behind the metric, shown next to its label. */
  count?: number;
  countUnit?: string;
}

export type MetricValues = Record<string, number>;

export interface AnalysisSummary {
  metric: string;
  samples: number;
  tokens: number;
  /** distances[n - 1][l] = d(x(l), x(l + n)) for n = 1..L-1, l = 0..L-n. */
  distances: number[][];
  standardErrors?: number[][];
  /** Best block per n: drop [start, start + n). */
  optimal: { n: number; start: number; distance: number }[];
}

export interface HealingSummary {
  steps: number;
  seconds: number;
  tokens: number;
  finalLoss: number;
  curve: { step: number; loss: number }[];
  /** The engine that trained ("tfjs", "onnx") and its device or TensorFlow.js backend; absent in results written before healing had a choice (tfjs). */
  engine?: string;
  backend?: string;
}

/** "tfjs on wasm", "onnx on cpu": each distinct engine the runs were healed on, in run order; empty without healing records that name one. */
export function healingEngines(results: Pick<RunResults, 'runs'>): { engine: string; backend: string }[] {
  const seen = new Map<string, { engine: string; backend: string }>();
  for (const run of results.runs) {
    const h = run.healing;
    if (h?.engine === undefined) continue;
    const key = `${h.engine}\u0000${h.backend ?? ''}`;
    if (!seen.has(key)) seen.set(key, { engine: h.engine, backend: h.backend ?? 'unknown' });
  }
  return [...seen.values()];
}

export interface PrunedRun {
  /** Stable id, e.g. "similarity-n2". */
  id: string;
  method: 'similarity' | 'deepest';
  /** Fraction of blocks dropped, n / L. */
  fraction: number;
  n: number;
  /** Removed half-open ranges of original block indices. */
  removed: [number, number][];
  layersKept: number;
  parameters: number;
  bytes: number;
  before: MetricValues;
  after: MetricValues | null;
  healing: HealingSummary | null;
}

export interface RunResults {
  schemaVersion: number;
  tool: { name: string; version: string };
  createdAt: string;
  /** The exact commands that produced the results, as typed. */
  commands: string[];
  /** engine: "onnx" or "tfjs" (absent in results written before there was a choice: tfjs); backend: the device or TensorFlow.js backend it ran on. */
  environment: { node: string; platform: string; engine?: string; backend: string; packages: Record<string, string> };
  model: { dir: string; name: string; modelType: string; layers: number; parameters: number; bytes: number };
  data: { calibration: string; evaluation: Record<string, string> };
  analysis: AnalysisSummary;
  metrics: MetricSpec[];
  baseline: MetricValues;
  runs: PrunedRun[];
  /** Total wall time of the run in seconds. */
  seconds: number;
}
