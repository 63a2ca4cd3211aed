// The training loop: seeded data order, gradient accumulation to the global
// batch, global-norm clipping, AdamW with a cosine schedule, a checkpoint every
// N steps, exact resume, and a hard stop on a non-finite loss or gradient
// (before the update, so the last checkpoint on disk stays the last good state).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@layerprune/tensor-io';
import { AdamW, type AdamWOptions } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { cosineWithWarmup } from './cosine-schedule.js';
import { LoraError } from './lora-error.js';
import { SequenceOrder, type PackedSequences } from './packed-sequences.js';
import { SeededRng } from '@layerprune/data';
import { loadCheckpoint, saveCheckpoint, type TrainerState } from './training-checkpoint.js';
import type { LoraTrainer } from './trainer/lora-trainer.js';

export const TRAIN_LOG_NAME = 'train_log.jsonl';

export interface TrainOptions {
  steps: number;
  /** Global batch (sequences per optimizer update). */
  batchSize: number;
  /** Sequences per forward/backward; batchSize must be a multiple. */
  microBatchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Global gradient-norm clip (transformers' max_grad_norm, 1.0). */
  maxGradNorm: number;
  adamw?: Partial<AdamWOptions>;
  seed: number;
  outDir: string;
  /** Checkpoint every N updates; 0 = only at the end. */
  saveEvery: number;
  resume: boolean;
  /** Extra settings recorded in the checkpoint that a resume must match. */
  fingerprint?: Record<string, unknown>;
  onStep?: (progress: TrainProgress) => void | Promise<void>;
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  etaSeconds: number;
  peakRssBytes: number;
}

export interface TrainResult {
  steps: number;
  resumedFromStep: number | null;
  losses: number[];
  finalLoss: number;
  tokensTrained: number;
  seconds: number;
  peakRssBytes: number;
  logPath: string;
  checkpointPath: string;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Seeds feed 32-bit generators (splitmix32): a larger seed would silently alias a smaller one. */
const MAX_SEED = 2 ** 32 - 1;

/** What checkTrainOptions reads: the numeric training settings, and optionally the seed and sequence length. */
export type TrainOptionsToCheck = Pick<TrainOptions, 'steps' | 'batchSize' | 'microBatchSize' | 'learningRate' | 'warmupSteps' | 'saveEvery'> & {
  seed?: number;
  /** Tokens per packed sequence (at least 2: one input and one target). */
  seqLen?: number;
  /** The model's max_position_embeddings: seqLen above it is refused, never cut down. */
  maxPositionEmbeddings?: number;
};

/**
 * Validates the numeric settings before any file is read or written: LoraError
 * CONFIG_INVALID naming the option, the value and the allowed range (`limit`).
 */
export function checkTrainOptions(o: TrainOptionsToCheck): void {
  const bad = (field: string, message: string, limit?: number): never => {
    throw new LoraError('CONFIG_INVALID', `${field}: ${message}`, { field, limit });
  };
  const integerAtLeast = (field: string, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min) bad(field, `must be an integer >= ${min}, got ${value}`, min);
  };
  integerAtLeast('steps', o.steps, 1);
  integerAtLeast('micro_batch', o.microBatchSize, 1);
  if (!Number.isSafeInteger(o.batchSize) || o.batchSize < 1 || o.batchSize % o.microBatchSize !== 0) {
    bad('batch', `global batch ${o.batchSize} must be a positive multiple of the micro-batch ${o.microBatchSize}`, o.microBatchSize);
  }
  // NaN and Infinity fail too: either would turn every weight into NaN at the first update.
  if (!(Number.isFinite(o.learningRate) && o.learningRate > 0)) bad('lr', `must be a finite number > 0, got ${o.learningRate}`, 0);
  integerAtLeast('warmup', o.warmupSteps, 0);
  integerAtLeast('save_every', o.saveEvery, 0);
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && o.seed >= 0 && o.seed <= MAX_SEED)) {
    bad('seed', `must be an integer in [0, ${MAX_SEED}], got ${o.seed}`, MAX_SEED);
  }
  if (o.seqLen !== undefined) {
    integerAtLeast('seq_len', o.seqLen, 2);
    if (o.maxPositionEmbeddings !== undefined && o.seqLen > o.maxPositionEmbeddings) {
      bad('seq_len', `${o.seqLen} exceeds the model's max_position_embeddings ${o.maxPositionEmbeddings}`, o.maxPositionEmbeddings);
    }
  }
}

function checkOptions(o: TrainOptions, data: PackedSequences): void {
  checkTrainOptions(o);
  if (data.count < o.microBatchSize) {
    throw new LoraError('DATA_TOO_SHORT', `training data has ${data.count} packed sequences of ${data.seqLen} tokens; a micro-batch needs ${o.microBatchSize}`, {
      limit: o.microBatchSize,
    });
  }
}

/**
 * Trains `trainer.adapters` on any engine (LoraTrainer): the engine gives loss and
 * gradients, everything else runs here over plain arrays, so a checkpoint made on
 * one engine resumes on another.
 */
export async function trainLora(trainer: LoraTrainer, data: PackedSequences, options: TrainOptions): Promise<TrainResult> {
  checkOptions(options, data);
  const adapters = trainer.adapters;
  if (!adapters) throw new LoraError('CONFIG_INVALID', 'trainLora needs a trainer with adapters');
  const fingerprint = {
    ...options.fingerprint,
    steps: options.steps,
    batch: options.batchSize,
    micro_batch: options.microBatchSize,
    seq_len: data.seqLen,
    sequences: data.count,
    lr: options.learningRate,
    warmup: options.warmupSteps,
    seed: options.seed,
    rank: adapters.config.rank,
    alpha: adapters.config.alpha,
    dropout: adapters.config.dropout,
    targets: adapters.config.targetModules.join(','),
  };
  const params = adapters.parameters();
  let optimizer = new AdamW(params, options.adamw);
  let state: TrainerState = { step: 0, position: 0, rng: new SeededRng(options.seed).fork().getState(), fingerprint, losses: [] };
  let resumedFromStep: number | null = null;
  const logPath = join(options.outDir, TRAIN_LOG_NAME);
  await mkdir(options.outDir, { recursive: true });

  if (options.resume) {
    const checkpoint = await loadCheckpoint(options.outDir);
    if (!checkpoint) {
      throw new LoraError('RESUME_WITHOUT_CHECKPOINT', `--resume: no checkpoint in ${options.outDir} (expected ${join(options.outDir, 'checkpoint')})`, {
        file: options.outDir,
      });
    }
    for (const [key, value] of Object.entries(fingerprint)) {
      if (JSON.stringify(checkpoint.state.fingerprint[key]) !== JSON.stringify(value)) {
        throw new LoraError(
          'CHECKPOINT_MISMATCH',
          `cannot resume: ${key} is ${JSON.stringify(value)} but the checkpoint in ${options.outDir} was made with ${JSON.stringify(checkpoint.state.fingerprint[key])}`,
          { field: key, file: options.outDir },
        );
      }
    }
    // Module by module, in the order both were made in (block, then checkpoint order).
    const saved = checkpoint.adapters.modules;
    const differs = saved.findIndex((p, i) => p.path !== adapters.modules[i]?.path || p.b.length !== adapters.modules[i].b.length);
    if (saved.length !== adapters.modules.length || differs >= 0) {
      const which = differs >= 0 ? ` (first difference: ${saved[differs].path} vs ${adapters.modules[differs]?.path ?? 'none'})` : '';
      throw new LoraError('CHECKPOINT_MISMATCH', `checkpoint has ${saved.length} adapted modules, this run ${adapters.modules.length}${which}`, {
        file: options.outDir,
      });
    }
    saved.forEach((p, i) => {
      adapters.modules[i].a.set(p.a);
      adapters.modules[i].b.set(p.b);
    });
    optimizer = new AdamW(params, options.adamw, checkpoint.optimizer);
    state = checkpoint.state;
    resumedFromStep = state.step;
    await truncateLog(logPath, state.step);
  } else {
    await writeFileAtomic(logPath, '');
  }

  const rng = new SeededRng(state.rng);
  const order = new SequenceOrder(data.count, options.seed);
  const grads = params.map((p) => new Float32Array(p.length));
  const accumulation = options.batchSize / options.microBatchSize;
  const started = Date.now();
  let tokensThisRun = 0;
  let checkpointPath = join(options.outDir, 'checkpoint');

  while (state.step < options.steps) {
    grads.forEach((g) => g.fill(0));
    let loss = 0;
    let tokens = 0;
    for (let micro = 0; micro < accumulation; micro++) {
      const batch: number[][] = [];
      for (let b = 0; b < options.microBatchSize; b++) batch.push(data.sequence(order.indexAt(state.position++)));
      const result = await trainer.lossAndGradients(batch, grads, 1 / accumulation, adapters.config.dropout > 0 ? rng : null);
      loss += result.loss / accumulation;
      tokens += batch.length * data.seqLen;
    }
    const step = state.step + 1;
    if (!Number.isFinite(loss)) {
      throw new LoraError('NON_FINITE_LOSS', `training loss is ${loss} at step ${step}; stopped before updating, the last checkpoint in ${options.outDir} is kept`, {
        step,
        file: options.outDir,
      });
    }
    const gradNorm = clipGradNorm(grads, options.maxGradNorm);
    if (!Number.isFinite(gradNorm)) {
      throw new LoraError('NON_FINITE_GRADIENT', `gradient norm is ${gradNorm} at step ${step}; stopped before updating, the last checkpoint in ${options.outDir} is kept`, {
        step,
        file: options.outDir,
      });
    }
    // LambdaLR: the lr used for update number k (1-based) is base * lambda(k - 1).
    const lr = options.learningRate * cosineWithWarmup(state.step, options.warmupSteps, options.steps);
    optimizer.step(params, grads, lr);
    state.step = step;
    state.losses.push(loss);
    state.rng = rng.getState();
    tokensThisRun += tokens;
    const elapsed = (Date.now() - started) / 1000;
    const stepsThisRun = step - (resumedFromStep ?? 0);
    const progress: TrainProgress = {
      step,
      steps: options.steps,
      loss,
      learningRate: lr,
      gradNorm,
      tokensPerSecond: tokensThisRun / Math.max(elapsed, 1e-9),
      elapsedSeconds: elapsed,
      etaSeconds: (elapsed / stepsThisRun) * (options.steps - step),
      peakRssBytes: peakRssBytes(),
    };
    await appendFile(
      logPath,
      `${JSON.stringify({ step, loss, lr, grad_norm: gradNorm, tokens_per_second: progress.tokensPerSecond, elapsed_s: elapsed, peak_rss_bytes: progress.peakRssBytes })}\n`,
    );
    if ((options.saveEvery > 0 && step % options.saveEvery === 0) || step === options.steps) {
      checkpointPath = await saveCheckpoint(options.outDir, { state, adapters, optimizer: optimizer.state });
    }
    await options.onStep?.(progress);
  }
  return {
    steps: state.step,
    resumedFromStep,
    losses: state.losses,
    finalLoss: state.losses[state.losses.length - 1] ?? NaN,
    tokensTrained: state.step * options.batchSize * data.seqLen,
    seconds: (Date.now() - started) / 1000,
    peakRssBytes: peakRssBytes(),
    logPath,
    checkpointPath,
  };
}

/** Keeps the log lines of steps <= `step` (a resumed run rewrites what came after). */
async function truncateLog(path: string, step: number): Promise<void> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = '';
  }
  const kept = text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .filter((line) => {
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false; // a line cut by the kill
      }
    });
  await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}
