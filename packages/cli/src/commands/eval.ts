// `layerprune eval`: language-model loss and multiple-choice accuracy with the
// conventions of lm-evaluation-harness. Thin: options -> @layerprune/eval
// evaluateTasks -> result tables (or the JSON report with its config).
// Options and help: ./eval-options.ts.
import { defaultHeldoutFile, defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import {
  describeMalformedRow,
  evaluateTasks,
  parseTaskSpec,
  type EvalReport,
  type LossTaskResult,
  type McTaskResult,
  type TaskSpec,
} from '@layerprune/eval';
import { loadModel, loadTokenizer, type BackendName } from '@layerprune/model';
import type { CommandContext } from '../cli/command-context.js';
import type { ReadLimitArgs } from '../cli/read-limit-options.js';
import { readLimitsFrom } from '../cli/read-limits.js';
import type { EngineArgs } from '../cli/engine-option.js';
import { describeEngine, engineFactoriesFrom } from '../cli/engine-factories.js';
import { checkOption, COUNT_RULE, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { formatCount, formatNumber, formatTable } from '../cli/output.js';
import type { Progress } from '../cli/progress.js';
import { toolVersion } from '../cli/tool-version.js';

export interface EvalOptions extends ReadLimitArgs, EngineArgs {
  model?: string;
  task?: string[];
  /** Loss tasks: the JSON Lines field or Parquet column holding the text (default "text"). */
  field?: string;
  shots?: number;
  limit?: number;
  sample?: boolean;
  seed?: number;
  subjects?: string;
  compare?: string;
  strict?: boolean;
  bos?: boolean;
  batchSize?: number;
  maxLength?: number;
  items?: boolean;
  backend?: string;
}

export interface EvalCommandResult extends EvalReport {
  model: string;
  compareModel: string | null;
  /** The engine the model ran on ("onnx", "tfjs") and its device or TensorFlow.js backend. */
  engine: string;
  backend: string;
  toolVersion: string;
}

/** Malformed rows listed on stderr before "... and N more". */
const MALFORMED_SHOWN = 10;

/** The tasks to run: --task as given, else the bundled held-out text and MMLU. */
export function resolveTasks(task: string[] | undefined): TaskSpec[] {
  if (task === undefined || task.length === 0) {
    return [
      { kind: 'loss', path: defaultHeldoutFile() },
      { kind: 'mmlu', path: defaultMmluDir() },
    ];
  }
  return task.map((t) => parseTaskSpec(t));
}

export async function runEval(options: EvalOptions, ctx: CommandContext): Promise<EvalCommandResult> {
  checkOption('--limit', options.limit, COUNT_RULE);
  checkOption('--shots', options.shots, { integer: true, min: 0 });
  checkOption('--batch-size', options.batchSize, COUNT_RULE);
  checkOption('--max-length', options.maxLength, { integer: true, min: 2 });
  checkOption('--seed', options.seed, SEED_RULE);
  const tasks = resolveTasks(options.task);
  const backend = (options.backend ?? 'auto') as BackendName;
  const engine = await engineFactoriesFrom({ ...options, backend }, ctx);
  const modelDir = options.model ?? defaultModelDir();
  const model = await loadModel(modelDir, { engine, log: (line) => ctx.log(line) });
  // The model compared with runs on the same engines: the agreement measures the models, not the engines.
  const reference = options.compare === undefined ? null : await loadModel(options.compare, { engine, log: (line) => ctx.log(line) });
  const bars = new Map<string, Progress>();
  try {
    if (options.maxLength !== undefined) {
      checkSeqLen('--max-length', options.maxLength, model.config.maxPositionEmbeddings, modelDir);
      if (reference) checkSeqLen('--max-length', options.maxLength, reference.config.maxPositionEmbeddings, options.compare as string);
    }
    const tokenizer = await loadTokenizer(modelDir);
    const report = await evaluateTasks(
      model,
      tokenizer,
      tasks,
      {
        shots: options.shots,
        limit: options.limit,
        sample: options.sample,
        seed: options.seed,
        strict: options.strict,
        addBos: options.bos,
        batchSize: options.batchSize,
        maxLength: options.maxLength,
        includeItems: options.items,
        subjects: options.subjects === undefined ? undefined : options.subjects.split(',').map((s) => s.trim()).filter(Boolean),
        reference: reference ?? undefined,
        readLimits: readLimitsFrom(options),
        textField: options.field,
      },
      (p) => {
        let bar = bars.get(p.task);
        if (!bar) {
          bar = ctx.progress({ label: p.task, total: p.total, unit: p.unit });
          bars.set(p.task, bar);
        }
        bar.update(p.done);
      },
    );
    for (const row of report.malformed.slice(0, MALFORMED_SHOWN)) ctx.warn(`skipped ${describeMalformedRow(row)}`);
    if (report.malformed.length > MALFORMED_SHOWN) ctx.warn(`... and ${report.malformed.length - MALFORMED_SHOWN} more malformed rows (see --json)`);
    return { model: modelDir, compareModel: options.compare ?? null, engine: model.engine.name, backend: model.backend, toolVersion: toolVersion(), ...report };
  } finally {
    for (const bar of bars.values()) bar.stop();
    model.dispose();
    reference?.dispose();
  }
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : 'n/a');

export function renderEval(r: EvalCommandResult): string {
  const mc = r.results.filter((t): t is McTaskResult => t.task !== 'loss');
  const loss = r.results.filter((t): t is LossTaskResult => t.task === 'loss');
  const out = [`model ${r.model} (${describeEngine(r)})${r.compareModel ? `, compared with ${r.compareModel}` : ''}`];
  if (mc.length > 0) {
    out.push(
      '',
      formatTable(
        ['task', 'items', 'acc', '± stderr', 'acc_norm', 'chance', 'items/s'],
        mc.map((t) => [t.name, t.items, pct(t.acc), pct(t.accStderr), pct(t.accNorm), pct(t.chance), formatNumber(t.itemsPerSecond, 1)]),
      ),
    );
  }
  for (const t of mc.filter((m) => m.subjects)) {
    out.push(
      '',
      `${t.name}: mean over questions ${pct(t.acc)}, mean over subjects ${pct(t.accSubjectMean ?? Number.NaN)} (acc_norm ${pct(t.accNorm)} / ${pct(t.accNormSubjectMean ?? Number.NaN)}), ${r.config.shots}-shot`,
      formatTable(
        ['subject', 'items', 'shots', 'acc', 'acc_norm'],
        t.subjects!.map((s) => [s.subject, s.items, s.shots, pct(s.acc), pct(s.accNorm)]),
      ),
    );
  }
  if (loss.length > 0) {
    out.push(
      '',
      formatTable(
        ['task', 'model', 'tokens', 'loss (nll/token)', 'perplexity', 'bits/byte', 'loss / ln V'],
        loss.flatMap((t) => {
          const row = (who: string, l: LossTaskResult['loss']) => [
            t.name,
            who,
            formatCount(l.tokens),
            formatNumber(l.meanNll),
            formatNumber(l.perplexity, 3),
            formatNumber(l.bitsPerByte),
            formatNumber(l.normalizedLoss),
          ];
          return t.reference ? [row('model', t.loss), row('compare', t.reference)] : [row('model', t.loss)];
        }),
        { alignRight: [2, 3, 4, 5, 6] },
      ),
    );
    for (const t of loss.filter((l) => l.agreement)) {
      const a = t.agreement!;
      out.push(
        `${t.name}: same greedy next token at ${pct(a.top1Agreement)} of ${formatCount(a.positions)} positions; mean KL(compare || model) ${formatNumber(a.meanKl)} nats (max ${formatNumber(a.maxKl)})`,
      );
    }
  }
  if (r.malformed.length > 0) out.push('', `${r.malformed.length} malformed rows skipped (listed with --json)`);
  return out.join('\n');
}
