// layerprune run: the paper's whole experiment in one command (analyze, prune by
// both methods at several fractions, evaluate, heal, evaluate, report). Options
// come from defaults < --config file < command line. Options and help: ./run-options.ts.
import { resolve } from 'node:path';
import type { BackendName } from '@layerprune/model';
import {
  checkPipelineInput,
  defaultPipelineConfig,
  loadPipelineFile,
  mergeConfigInputs,
  PipelineError,
  runPipeline,
  trainerConflict,
  validatePipelineConfig,
  type PipelineConfigInput,
  type PipelineEvent,
  type PruneMethod,
} from '@layerprune/pipeline';
import type { CommandContext } from '../cli/command-context.js';
import type { ReadLimitArgs } from '../cli/read-limit-options.js';
import { readLimitsFrom } from '../cli/read-limits.js';
import { checkEngineArgs, ENGINE_FLAG_NAMES, TRAINER_FLAG_NAMES, type TrainerArgs } from '../cli/engine-option.js';
import { describeEngine } from '../cli/engine-factories.js';
import { CliError } from '../cli/errors.js';
import { resolveModelArg, type HubModelSource } from '../cli/model-source.js';
import { formatTable } from '../cli/output.js';
import type { Progress } from '../cli/progress.js';
import { toolVersion } from '../cli/tool-version.js';

export interface RunOptions extends TrainerArgs {
  model?: string;
  data?: string;
  eval?: string[];
  fractions?: string;
  methods?: string;
  healSteps?: number;
  samples?: number;
  limit?: number;
  shots?: number;
  seed?: number;
  backend?: string;
  out?: string;
  config?: string;
  resume?: boolean;
  force?: boolean;
  maxDocumentSize?: string;
  encodingErrors?: ReadLimitArgs['encodingErrors'];
  field?: string;
}

export interface RunCommandResult {
  out: string;
  report: { html: string; markdown: string; results: string; figures: string[] };
  reusedStages: string[];
  seconds: number;
  /** The engine analysis and evaluation ran on ("onnx", "tfjs") and its device or TensorFlow.js backend. */
  engine: string;
  backend: string;
  baseline: Record<string, number>;
  runs: { id: string; method: string; n: number; removed: [number, number][]; before: Record<string, number>; after: Record<string, number> | null }[];
  metrics: { key: string; label: string }[];
  /** Set when the pipeline file's model was a Hugging Face repo id (one given with --model is added by the shell). */
  modelSources?: HubModelSource[];
}

function parseFractions(text: string): number[] {
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(value)) throw new CliError('INVALID_OPTION', `--fractions: "${part}" is not a number (expected e.g. 0.1,0.25,0.5)`, 2);
    return value;
  });
}

/** The flag that sets each pipeline field, so errors about command-line values name the flag. */
const FLAG_NAMES: Readonly<Record<string, string>> = {
  model: '--model',
  data: '--data',
  out: '--out',
  eval: '--eval',
  fractions: '--fractions',
  methods: '--methods',
  seed: '--seed',
  ...ENGINE_FLAG_NAMES,
  maxDocumentBytes: '--max-document-size',
  encodingErrors: '--encoding-errors',
  textField: '--field',
  'analysis.samples': '--samples',
  'evaluation.limit': '--limit',
  'evaluation.shots': '--shots',
  'heal.steps': '--heal-steps',
  'heal.keepActivations': TRAINER_FLAG_NAMES.keepActivations,
};

/** Command-line options as a partial pipeline config (undefined = not given). */
function cliInput(options: RunOptions): PipelineConfigInput {
  return {
    model: options.model,
    data: options.data,
    out: options.out,
    eval: options.eval && options.eval.length > 0 ? options.eval : undefined,
    fractions: options.fractions === undefined ? undefined : parseFractions(options.fractions),
    methods: options.methods === undefined ? undefined : (options.methods.split(',').map((m) => m.trim()) as PruneMethod[]),
    seed: options.seed,
    backend: options.backend as PipelineConfigInput['backend'],
    engine: options.engine,
    threads: options.threads,
    device: options.device,
    ...readLimitsFrom(options),
    textField: options.field,
    analysis: { samples: options.samples },
    evaluation: { limit: options.limit, shots: options.shots },
    heal: { steps: options.healSteps, keepActivations: options.keepActivations },
  };
}

/**
 * Engine flags that contradict each other on the command line alone (`--engine tfjs
 * --device cuda`, `--engine tfjs --keep-activations`), reported with the flags as
 * typed; a flag against the pipeline file is reported by validatePipelineConfig, naming the file.
 */
function checkEngineFlags(options: RunOptions): void {
  checkEngineArgs(options);
  const flags = {
    backend: options.backend as BackendName | undefined,
    threads: options.threads,
    device: options.device,
    keepActivations: options.keepActivations,
    names: TRAINER_FLAG_NAMES,
  };
  const conflict = trainerConflict(options.engine ?? 'auto', flags);
  if (conflict !== null) {
    const field = conflict.field === 'keepActivations' ? 'heal.keepActivations' : conflict.field;
    throw new PipelineError('CONFIG_INVALID', `${TRAINER_FLAG_NAMES[conflict.field]}: ${conflict.message}`, { field });
  }
}

/** Turns pipeline events into progress bars and log lines on stderr. */
function eventPrinter(ctx: CommandContext): (event: PipelineEvent) => void {
  let bar: { stage: string; total: number; progress: Progress } | null = null;
  const stopBar = (): void => {
    bar?.progress.stop();
    bar = null;
  };
  return (event) => {
    if (event.kind === 'progress' && event.total !== undefined) {
      // One bar per stage and task (an evaluation stage runs several tasks in turn).
      const key = `${event.stage} ${event.unit ?? ''}`.trim();
      if (bar === null || bar.stage !== key || bar.total !== event.total) {
        stopBar();
        bar = { stage: key, total: event.total, progress: ctx.progress({ label: key, total: event.total }) };
      }
      bar.progress.update(event.done ?? 0, event.fields);
      return;
    }
    if (event.kind === 'done' || event.kind === 'reused') {
      stopBar();
      ctx.log(`${event.stage}: ${event.kind === 'reused' ? 'reused from the earlier run' : `done in ${(event.seconds ?? 0).toFixed(1)} s`}`);
    }
  };
}

export async function runRun(options: RunOptions, ctx: CommandContext): Promise<RunCommandResult> {
  // Each layer is checked on its own first, so an error names the flag or the file that set the value.
  checkEngineFlags(options);
  const cli = checkPipelineInput(cliInput(options), { names: FLAG_NAMES });
  const file = options.config ? await loadPipelineFile(resolve(options.config)) : {};
  const merged = mergeConfigInputs(defaultPipelineConfig(), file, cli);
  const config = validatePipelineConfig(merged, options.config);
  // A Hugging Face repo id in the pipeline file (one given with --model was resolved before the command ran).
  const modelFrom = options.config !== undefined && options.model === undefined ? `${options.config}: model` : '--model';
  const { dir: model, hub } = await resolveModelArg(config.model, modelFrom, ctx);
  const result = await runPipeline({ ...config, model }, {
    resume: options.resume,
    force: options.force,
    toolVersion: toolVersion(),
    commands: [`layerprune ${process.argv.slice(2).join(' ')}`.trim()],
    onEvent: eventPrinter(ctx),
    log: (line) => ctx.log(line),
  });
  return {
    out: result.out,
    report: result.report,
    reusedStages: result.reusedStages,
    seconds: result.results.seconds,
    // Optional in results.json only for files written before engines were recorded (TensorFlow.js).
    engine: result.results.environment.engine ?? 'tfjs',
    backend: result.results.environment.backend,
    baseline: result.results.baseline,
    runs: result.results.runs.map((r) => ({ id: r.id, method: r.method, n: r.n, removed: r.removed, before: r.before, after: r.after })),
    metrics: result.results.metrics.map((m) => ({ key: m.key, label: m.label })),
    ...(hub === null ? {} : { modelSources: [hub] }),
  };
}

export function renderRun(result: RunCommandResult): string {
  const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(4));
  const rows = [
    ['unpruned', '-', ...result.metrics.map((m) => fmt(result.baseline[m.key]))],
    ...result.runs.map((r) => [
      r.id,
      r.removed.map(([s, e]) => `[${s}, ${e})`).join(' '),
      ...result.metrics.map((m) => (r.after ? `${fmt(r.before[m.key])} -> ${fmt(r.after[m.key])}` : fmt(r.before[m.key]))),
    ]),
  ];
  return [
    formatTable(['model', 'dropped', ...result.metrics.map((m) => m.label)], rows),
    '',
    `report: ${result.report.html}`,
    `        ${result.report.markdown}`,
    `        ${result.report.results}`,
    `finished in ${result.seconds.toFixed(1)} s, ${describeEngine(result)}${result.reusedStages.length > 0 ? ` (${result.reusedStages.length} stages reused)` : ''}`,
  ].join('\n');
}
