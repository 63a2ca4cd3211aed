// `layerprune heal`: QLoRA healing of a (pruned) model. Thin: options ->
// @layerprune/lora heal() with a progress bar -> result table or JSON.
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { heal, HEAL_DEFAULTS, parseTargetModules, type HealResult } from '@layerprune/lora';
import { isBackendName, type BackendName } from '@layerprune/model';
import { openModelDir } from '@layerprune/tensor-io';
import type { CommandContext } from '../cli/command-context.js';
import { readLimitsFrom, withReadLimitOptions, type ReadLimitArgs } from '../cli/read-limit-options.js';
import { defineCommand } from '../cli/define-command.js';
import { checkOption, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { CliError, USAGE_EXIT_CODE } from '../cli/errors.js';
import { formatBytes, formatCount, formatNumber, formatTable } from '../cli/output.js';

/**
 * CLI defaults. The paper's recipe (method.md section 2) except where the
 * bundled 260K-parameter model needs smaller numbers: 200 steps instead of 5000
 * with 10 warmup steps instead of 100 (same schedule shape, minutes instead of
 * hours on a CPU), and sequences of 256 tokens (the paper's 2048 exceeds the
 * model's 512 positions). The sequence length never exceeds the model's
 * max_position_embeddings.
 */
export const HEAL_CLI_DEFAULTS = Object.freeze({
  steps: 200,
  batch: HEAL_DEFAULTS.batchSize,
  microBatch: HEAL_DEFAULTS.microBatchSize,
  seqLen: 256,
  lr: HEAL_DEFAULTS.learningRate,
  warmup: 10,
  rank: HEAL_DEFAULTS.rank,
  alpha: HEAL_DEFAULTS.alpha,
  dropout: HEAL_DEFAULTS.dropout,
  targets: HEAL_DEFAULTS.targets,
  bits: HEAL_DEFAULTS.bits,
  saveEvery: 50,
  seed: HEAL_DEFAULTS.seed,
  evalSequences: 32,
});

export interface HealCommandOptions extends ReadLimitArgs {
  model?: string;
  data?: string;
  evalData?: string;
  out: string;
  steps?: number;
  batch?: number;
  microBatch?: number;
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
  seed?: number;
  backend?: string;
}

export type HealCommandResult = HealResult & { model: string; data: string; evalData: string | null };

function usage(message: string): CliError {
  return new CliError('USAGE', message, USAGE_EXIT_CODE);
}

export async function runHeal(options: HealCommandOptions, ctx: CommandContext): Promise<HealCommandResult> {
  const bits = options.bits ?? HEAL_CLI_DEFAULTS.bits;
  if (bits !== 4 && bits !== 16 && bits !== 32) throw usage(`--bits must be 4, 16 or 32, got ${bits}`);
  const backend = options.backend ?? 'auto';
  if (!isBackendName(backend)) throw usage(`--backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu, got ${backend}`);
  const model = options.model ?? defaultModelDir();
  const data = options.data ?? defaultCalibrationFile();
  // With the bundled corpus, report the loss on its held-out twin (never trained on).
  const evalData = options.evalData ?? (options.data === undefined ? defaultHeldoutFile() : null);
  // Checked before the backend loads: a typo in --targets or --seed fails at once.
  parseTargetModules(options.targets ?? HEAL_CLI_DEFAULTS.targets);
  checkOption('--seed', options.seed, SEED_RULE);
  checkOption('--seq-len', options.seqLen, { integer: true, min: 2 });
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
      out: options.out,
      evalData: evalData ?? undefined,
      evalSequences: HEAL_CLI_DEFAULTS.evalSequences,
      steps,
      batchSize: options.batch ?? HEAL_CLI_DEFAULTS.batch,
      microBatchSize: options.microBatch ?? HEAL_CLI_DEFAULTS.microBatch,
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
      seed: options.seed ?? HEAL_CLI_DEFAULTS.seed,
      backend: backend as BackendName,
      log: (line) => ctx.log(line),
      onProgress: (p) =>
        bar.update(p.step, {
          loss: formatNumber(p.loss),
          lr: p.learningRate.toExponential(2),
          'tok/s': Math.round(p.tokensPerSecond),
          eta: `${Math.round(p.etaSeconds)}s`,
        }),
    });
    return { ...result, model, data, evalData };
  } finally {
    bar.stop();
  }
}

export function renderHeal(r: HealCommandResult): string {
  const loss = (x: number | null): string => (x === null ? '-' : formatNumber(x));
  const rows: (string | number)[][] = [
    ['model', r.model],
    ['data', `${r.data} (${r.trainSequences} sequences)`],
    ['steps', r.resumedFromStep === null ? String(r.steps) : `${r.steps} (resumed from ${r.resumedFromStep})`],
    ['targets', r.targets.join(', ')],
    ['trainable parameters', formatCount(r.trainableParameters)],
    ['base', `${r.bits}-bit block linears, ${formatBytes(r.baseLinearBytes)}`],
    ['final training loss', loss(r.finalLoss)],
    ['held-out loss before', loss(r.evalLossBefore)],
    ['held-out loss after', loss(r.evalLossAfter)],
    ['tokens/s', Math.round(r.tokensPerSecond)],
    ['peak memory (RSS)', formatBytes(r.peakRssBytes)],
    ['time', `${r.seconds.toFixed(1)} s (${r.backend})`],
  ];
  const files = [`adapter: ${r.out} (adapter_config.json, adapter_model.safetensors)`, `log: ${r.logPath}`, `loss curve: ${r.lossCurvePath}`];
  if (r.mergedDir) files.push(`merged model: ${r.mergedDir}`);
  return [formatTable(['', ''], rows, { alignRight: [] }), '', ...files].join('\n');
}

export const healCommand = defineCommand<HealCommandOptions, HealCommandResult>({
  command: 'heal',
  describe: 'Heal a pruned model with QLoRA adapters (PEFT format), optionally merged into a full model',
  builder: (y) =>
    withReadLimitOptions(y)
      .option('model', { type: 'string', describe: 'Model directory (default: the bundled model)' })
      .option('data', { type: 'string', describe: 'Training corpus, .txt (blank-line separated) or .jsonl {"text"} (default: bundled TinyStories)' })
      .option('eval-data', { type: 'string', describe: 'Held-out corpus for loss before/after (default with the bundled corpus: its held-out part)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output directory: adapter, train_log.jsonl, loss_curve.svg, checkpoint/' })
      .option('steps', { type: 'number', describe: `Optimizer steps (default ${HEAL_CLI_DEFAULTS.steps}; paper 5000)` })
      .option('batch', { type: 'number', alias: 'batch-size', describe: `Global batch in sequences (default ${HEAL_CLI_DEFAULTS.batch})` })
      .option('micro-batch', { type: 'number', describe: `Sequences per forward/backward (default ${HEAL_CLI_DEFAULTS.microBatch})` })
      .option('seq-len', { type: 'number', describe: `Tokens per packed sequence (default ${HEAL_CLI_DEFAULTS.seqLen}, at most the model's positions; paper 2048)` })
      .option('lr', { type: 'number', describe: `Peak learning rate (default ${HEAL_CLI_DEFAULTS.lr})` })
      .option('warmup', { type: 'number', describe: `Linear warmup steps before the cosine decay (default ${HEAL_CLI_DEFAULTS.warmup}; paper 100)` })
      .option('rank', { type: 'number', describe: `LoRA rank r (default ${HEAL_CLI_DEFAULTS.rank})` })
      .option('alpha', { type: 'number', describe: `LoRA alpha; scaling alpha/r (default ${HEAL_CLI_DEFAULTS.alpha})` })
      .option('dropout', { type: 'number', describe: `Dropout on the adapter input (default ${HEAL_CLI_DEFAULTS.dropout})` })
      .option('targets', { type: 'string', describe: 'mlp | all-linear | attention | comma list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default mlp)' })
      .option('bits', { type: 'number', choices: [4, 16, 32], describe: 'Frozen base precision: 4 (NF4, double quant), 16 or 32 (default 4)' })
      .option('save-every', { type: 'number', describe: `Checkpoint every N steps, 0 = only at the end (default ${HEAL_CLI_DEFAULTS.saveEvery})` })
      .option('resume', { type: 'boolean', describe: 'Continue from the checkpoint in --out' })
      .option('force', { type: 'boolean', describe: 'Replace a previous layerprune output in --out (never a directory layerprune did not write)' })
      .option('merge', { type: 'boolean', describe: 'Also write <out>/merged: the model with the adapter folded in' })
      .option('seed', { type: 'number', describe: `Seed for init, data order and dropout (default ${HEAL_CLI_DEFAULTS.seed})` })
      .option('backend', { type: 'string', choices: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], describe: 'TensorFlow.js backend (default auto)' }),
  run: (args, ctx) => runHeal(args, ctx),
  render: (result) => renderHeal(result),
});
