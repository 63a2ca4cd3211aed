// Evaluates one model directory on the pipeline's tasks and flattens the result
// to metric values for the report: "loss" (nats/token on the held-out text) and
// "<task>.acc" for multiple-choice tasks.
import { evaluateTasks, type EvalReport, type TaskReadOptions, type TaskSpec } from '@layerprune/eval';
import { loadModel, loadTokenizer, type BackendName, type EngineFactory } from '@layerprune/model';
import type { MetricSpec, MetricValues } from '@layerprune/report';

export interface ModelEvaluation {
  values: MetricValues;
  specs: MetricSpec[];
  report: EvalReport;
}

export interface EvaluateModelDirOptions {
  tasks: TaskSpec[];
  shots: number;
  /** Items per multiple-choice task (per subject for MMLU); loss tasks use every document. */
  limit: number | null;
  batch: number;
  /** Loss tasks score only their first N characters; null = all. */
  lossChars: number | null;
  seed: number;
  /** TensorFlow.js backend when `engine` is left out (or falls back to tfjs). */
  backend: BackendName;
  /** The engines to load the model with, in order of preference (see engineFactories); default TensorFlow.js on `backend`. */
  engine?: EngineFactory | readonly EngineFactory[];
  /** How task files are read (longest document, invalid UTF-8). */
  readLimits?: TaskReadOptions;
  onProgress?: (task: string, done: number, total: number) => void;
  log?: (line: string) => void;
}

function metricKey(spec: TaskSpec, tasks: TaskSpec[]): string {
  // Short keys ("mmlu") unless two tasks share a kind.
  return tasks.filter((t) => t.kind === spec.kind).length > 1 ? (spec.name ?? `${spec.kind}:${spec.path}`) : spec.kind;
}

export async function evaluateModelDir(dir: string, options: EvaluateModelDirOptions): Promise<ModelEvaluation> {
  const model = await loadModel(dir, { engine: options.engine, backend: options.backend, log: options.log });
  try {
    const tokenizer = await loadTokenizer(dir);
    const values: MetricValues = {};
    const specs: MetricSpec[] = [];
    const reports: EvalReport[] = [];
    for (const task of options.tasks) {
      const report = await evaluateTasks(
        model,
        tokenizer,
        [task],
        {
          shots: options.shots,
          limit: task.kind === 'loss' ? undefined : (options.limit ?? undefined),
          seed: options.seed,
          batchSize: options.batch,
          readLimits: options.readLimits,
          ...(task.kind === 'loss' && options.lossChars !== null ? { lossMaxChars: options.lossChars } : {}),
        },
        (p) => options.onProgress?.(p.task, p.done, p.total),
      );
      reports.push(report);
      const key = metricKey(task, options.tasks);
      for (const result of report.results) {
        if (result.task === 'loss') {
          values[key] = result.loss.meanNll;
          values[`${key}.normalized`] = result.loss.normalizedLoss;
          values[`${key}.bpb`] = result.loss.bitsPerByte;
          specs.push({ key, label: `loss on ${task.path.split('/').pop()} (nats/token)`, better: 'lower', format: 'number', count: result.loss.tokens, countUnit: 'tokens' });
        } else {
          values[`${key}.acc`] = result.acc;
          values[`${key}.acc_norm`] = result.accNorm;
          const label = task.kind === 'mmlu' ? `MMLU ${options.shots}-shot accuracy` : `${task.kind} accuracy`;
          specs.push({ key: `${key}.acc`, label, better: 'higher', chance: result.chance, format: 'percent', count: result.items, countUnit: 'questions' });
        }
      }
    }
    return {
      values,
      specs,
      report: { ...reports[0], results: reports.flatMap((r) => r.results), malformed: reports.flatMap((r) => r.malformed) },
    };
  } finally {
    model.dispose();
  }
}
