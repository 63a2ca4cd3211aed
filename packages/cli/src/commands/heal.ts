// `layerprune heal`: QLoRA healing of a (pruned) model. Thin: options ->
// @layerprune/lora heal() with a progress bar -> result table or JSON.
// Options, help and defaults: ./heal-options.ts.
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { heal, parseTargetModules, type HealResult } from '@layerprune/lora';
import { isBackendName, type BackendName } from '@layerprune/model';
import { openModelDir } from '@layerprune/architectures';
import { BACKEND_NAMES } from '../cli/backend-option.js';
import type { CommandContext } from '../cli/command-context.js';
import type { TrainerArgs } from '../cli/engine-option.js';
import { trainerFactoriesFrom } from '../cli/engine-factories.js';
import type { ReadLimitArgs } from '../cli/read-limit-options.js';
import { readLimitsFrom } from '../cli/read-limits.js';
import { checkOption, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { CliError, USAGE_EXIT_CODE } from '../cli/errors.js';
import { formatBytes, formatCount, formatNumber, formatTable } from '../cli/output.js';
import { HEAL_CLI_DEFAULTS } from './heal-options.js';

export { HEAL_CLI_DEFAULTS };

export interface HealCommandOptions extends ReadLimitArgs, TrainerArgs {
  model?: string;
  data?: string;
  evalData?: string;
  /** The JSON Lines field or Parquet column holding the text of --data and --eval-data (`--field`, alias `--text-field`; default "text"). */
  field?: string;
  out: string;
  steps?: number;
  /** Global batch in sequences (`--batch-size`, alias `--batch`). */
  batchSize?: number;
  /** Sequences per forward/backward (`--micro-batch-size`, alias `--micro-batch`). */
  microBatchSize?: number;
  seqLen?: number;
  lr?: number;
  warmup?: number;
  rank?: number;
  alpha?: number;
  dropout?: number;
  targets?: string;
  bits?: number;
  saveEvery?: number;
  resume?: boolean;
  force?: boolean;
  merge?: boolean;
  mergeDtype?: 'F32' | 'F16' | 'BF16';
  seed?: number;
  backend?: string;
}

/** `field`: the JSON Lines field or Parquet column the text was read from. */
export type HealCommandResult = HealResult & { model: string; data: string; evalData: string | null; field: string };

function usage(message: string): CliError {
  return new CliError('USAGE', message, USAGE_EXIT_CODE);
}

export async function runHeal(options: HealCommandOptions, ctx: CommandContext): Promise<HealCommandResult> {
  const bits = options.bits ?? HEAL_CLI_DEFAULTS.bits;
  if (bits !== 4 && bits !== 16 && bits !== 32) throw usage(`--bits must be 4, 16 or 32, got ${bits}`);
  const backend = options.backend ?? 'auto';
  if (!isBackendName(backend)) throw usage(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${backend}`);
  const model = options.model ?? defaultModelDir();
  const data = options.data ?? defaultCalibrationFile();
  // With the bundled corpus, report the loss on its held-out twin (never trained on).
  const evalData = options.evalData ?? (options.data === undefined ? defaultHeldoutFile() : null);
  // Checked before the backend loads: a typo in --targets or --seed fails at once.
  parseTargetModules(options.targets ?? HEAL_CLI_DEFAULTS.targets);
  checkOption('--seed', options.seed, SEED_RULE);
  checkOption('--seq-len', options.seqLen, { integer: true, min: 2 });
  if (options.field === '') throw usage('--field must name a JSON Lines field or Parquet column, got ""');
  // Before any work: a missing engine package or conflicting flags fail in the first second.
  const trainer = await trainerFactoriesFrom({ ...options, backend }, ctx);
  const dir = await openModelDir(model);
  const maxPositions = dir.config.maxPositionEmbeddings;
  await dir.close();
  // The default follows the model; a length the user asked for is never cut down.
  const seqLen = options.seqLen ?? Math.min(HEAL_CLI_DEFAULTS.seqLen, maxPositions);
  checkSeqLen('--seq-len', seqLen, maxPositions, model);
  const steps = options.steps ?? HEAL_CLI_DEFAULTS.steps;
  const bar = ctx.progress({ label: 'heal', total: steps, unit: 'steps' });
  try {
    const result = await heal({
      readLimits: readLimitsFrom(options),
      model,
      data,
      field: options.field,
      out: options.out,
      evalData: evalData ?? undefined,
      evalSequences: HEAL_CLI_DEFAULTS.evalSequences,
      steps,
      batchSize: options.batchSize ?? HEAL_CLI_DEFAULTS.batchSize,
      microBatchSize: options.microBatchSize ?? HEAL_CLI_DEFAULTS.microBatchSize,
      seqLen,
      learningRate: options.lr ?? HEAL_CLI_DEFAULTS.lr,
      warmupSteps: options.warmup ?? HEAL_CLI_DEFAULTS.warmup,
      rank: options.rank ?? HEAL_CLI_DEFAULTS.rank,
      alpha: options.alpha ?? HEAL_CLI_DEFAULTS.alpha,
      dropout: options.dropout ?? HEAL_CLI_DEFAULTS.dropout,
      targets: options.targets ?? HEAL_CLI_DEFAULTS.targets,
      bits,
      saveEvery: options.saveEvery ?? HEAL_CLI_DEFAULTS.saveEvery,
      resume: options.resume ?? false,
      force: options.force === true,
      merge: options.merge ?? false,
      mergeDtype: options.mergeDtype,
      seed: options.seed ?? HEAL_CLI_DEFAULTS.seed,
      backend: backend as BackendName,
      trainer,
      log: (line) => ctx.log(line),
      onProgress: (p) =>
        bar.update(p.step, {
          loss: formatNumber(p.loss),
          lr: p.learningRate.toExponential(2),
          'tok/s': Math.round(p.tokensPerSecond),
          eta: `${Math.round(p.etaSeconds)}s`,
        }),
    });
    return { ...result, model, data, evalData, field: options.field ?? 'text' };
  } finally {
    bar.stop();
  }
}

export function renderHeal(r: HealCommandResult): string {
  const loss = (x: number | null): string => (x === null ? '-' : formatNumber(x));
  const rows: (string | number)[][] = [
    ['model', r.model],
    ['data', `${r.data} (${r.field === 'text' ? '' : `field "${r.field}", `}${r.trainSequences} sequences)`],
    ['steps', r.resumedFromStep === null ? String(r.steps) : `${r.steps} (resumed from ${r.resumedFromStep})`],
    ['targets', r.targets.join(', ')],
    ['trainable parameters', formatCount(r.trainableParameters)],
    ['base', `${r.bits}-bit block linears, ${formatBytes(r.baseLinearBytes)}`],
    ['final training loss', loss(r.finalLoss)],
    ['held-out loss before', loss(r.evalLossBefore)],
    ['held-out loss after', loss(r.evalLossAfter)],
    ['tokens/s', Math.round(r.tokensPerSecond)],
    ['peak memory (RSS)', formatBytes(r.peakRssBytes)],
    ['engine', `${r.engine} on ${r.backend}`],
    ['time', `${r.seconds.toFixed(1)} s`],
  ];
  const files = [`adapter: ${r.out} (adapter_config.json, adapter_model.safetensors)`, `log: ${r.logPath}`, `loss curve: ${r.lossCurvePath}`];
  if (r.mergedDir) files.push(`merged model: ${r.mergedDir}`);
  return [formatTable(['', ''], rows, { alignRight: [] }), '', ...files].join('\n');
}
