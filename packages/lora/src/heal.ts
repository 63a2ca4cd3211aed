// heal(): the whole QLoRA healing run used by `layerprune heal` and the `run`
// pipeline: load the (pruned) model with its block linears frozen at 4/16/32
// bits, pack the corpus, train LoRA adapters with checkpoints, and write the
// PEFT adapter, train_log.jsonl, a loss curve and optionally the merged model.
import { readdir } from 'node:fs/promises';
import { openRegularFile, readDocuments, SeededRng, type ReadLimitOptions } from '@layerprune/data';
import { join, resolve } from 'node:path';
import { cleanStaleTemps, fingerprintInputs, openOutputInPlace, type InPlaceOutput } from '@layerprune/safe-output';
import { writeFileAtomic } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { renderLineChart } from '@layerprune/figures';
import { loadTokenizer, validateQuantizedWeights, type BackendName } from '@layerprune/model';
import { isQuantizedModelDir, openQuantizedWeights } from '@layerprune/quant';
import { FrozenBase, type BaseBits, type WeightReader } from './frozen-base.js';
import { quantizedWeightReader } from './quantized-weight-reader.js';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { LoraError } from './lora-error.js';
import { loadPackedData, type TextEncoder } from './load-packed-data.js';
import { evaluateLoss } from './evaluate-loss.js';
import { saveLoraAdapter } from './peft-adapter-io.js';
import { checkTrainable } from './train-model-config.js';
import { checkTrainOptions, trainLora, type TrainProgress } from './train-lora.js';
import { CHECKPOINT_DIR } from './training-checkpoint.js';
import { writeMergedModel } from './write-merged-model.js';
import { chooseTrainer } from './trainer/choose-trainer.js';
import type { LoraTrainer, TrainerFactory } from './trainer/lora-trainer.js';
import { tfjsTrainerFactory } from './trainer/tfjs-trainer-factory.js';

/** Defaults: the paper's recipe (method.md section 2) except rank 8 / alpha 8 (its 70B value; 64 is its default). */
export const HEAL_DEFAULTS = Object.freeze({
  steps: 5000,
  batchSize: 16,
  microBatchSize: 1,
  seqLen: 2048,
  learningRate: 3e-4,
  warmupSteps: 100,
  rank: 8,
  alpha: 8,
  dropout: 0.05,
  targets: 'mlp',
  bits: 4 as BaseBits,
  saveEvery: 500,
  seed: 42,
  maxGradNorm: 1.0,
  weightDecay: 0,
  evalSequences: 16,
});

export interface HealOptions {
  model: string;
  data: string;
  out: string;
  steps?: number;
  batchSize?: number;
  microBatchSize?: number;
  seqLen?: number;
  learningRate?: number;
  warmupSteps?: number;
  rank?: number;
  alpha?: number;
  dropout?: number;
  /** 'mlp' | 'all-linear' | 'attention' | 'q_proj,v_proj' ... */
  targets?: string | string[];
  useRslora?: boolean;
  bits?: BaseBits;
  saveEvery?: number;
  /** true: continue the checkpoint in `out` (error without one); 'auto': continue it when there is one, else start fresh. */
  resume?: boolean | 'auto';
  /** Replace a previous layerprune output in `out` (never a directory layerprune did not write). */
  force?: boolean;
  merge?: boolean;
  mergeDtype?: 'F32' | 'F16' | 'BF16';
  seed?: number;
  maxGradNorm?: number;
  weightDecay?: number;
  /** Limits of the data reader (@layerprune/data): longest document (default 64 MiB), invalid UTF-8 ('error' or 'replace'), gzip expansion. */
  readLimits?: ReadLimitOptions;
  /** The JSON Lines field, or Parquet column, holding the text of `data` and `evalData` (default "text"). */
  field?: string;
  /** Held-out corpus for loss before/after (never trained on). */
  evalData?: string;
  evalSequences?: number;
  /** Skip this many documents of evalData (when it is the training file, skip what training reads). */
  evalSkipDocuments?: number;
  /** TensorFlow.js backend of the default trainer (tfjsTrainerFactory); ignored when `trainer` is given. */
  backend?: BackendName;
  /**
   * The engine that trains, or a list in order of preference (the first that supports
   * the model at `bits` and whose runtime loads; see chooseTrainer). Default:
   * [tfjsTrainerFactory(backend ?? 'auto')]. Checkpoints do not depend on it: a heal
   * started on one engine resumes on another.
   */
  trainer?: TrainerFactory | readonly TrainerFactory[];
  /** Default: the model's own tokenizer (tokenizer.json, BOS added per document, via @layerprune/model). */
  tokenizer?: TextEncoder;
  /** Renders the loss curve SVG; default: @layerprune/figures line chart. */
  renderLossCurve?: (points: { step: number; loss: number }[]) => string | Promise<string>;
  onProgress?: (progress: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface HealResult {
  out: string;
  adapterFiles: string[];
  mergedDir: string | null;
  steps: number;
  resumedFromStep: number | null;
  finalLoss: number;
  evalLossBefore: number | null;
  evalLossAfter: number | null;
  evalSequences: number;
  trainSequences: number;
  /** Documents of the training file that were read (a held-out split must skip at least these). */
  trainDocuments: number;
  trainableParameters: number;
  bits: BaseBits;
  baseLinearBytes: number;
  targets: string[];
  /** The engine that trained ("tfjs", "onnx"...). */
  engine: string;
  /** The device or TensorFlow.js backend it trained on ("wasm", "cpu", "cuda"...). */
  backend: string;
  seconds: number;
  /** Tokens trained by this call: (steps - resumedFromStep) x batchSize x seqLen (exact, unlike tokensPerSecond x seconds). */
  tokens: number;
  tokensPerSecond: number;
  peakRssBytes: number;
  logPath: string;
  lossCurvePath: string;
}

export const LOSS_CURVE_NAME = 'loss_curve.svg';

function renderLossCurve(points: { step: number; loss: number }[]): Promise<string> {
  return renderLineChart({
    series: [{ name: 'training loss', points: points.map((p) => ({ x: p.step, y: p.loss })) }],
    xTitle: 'optimizer step',
    yTitle: 'next-token loss (nats)',
    title: 'QLoRA healing',
    xFormat: 'd',
  });
}

async function hasCheckpoint(out: string): Promise<boolean> {
  try {
    const names = await readdir(out);
    return names.some((n) => n === CHECKPOINT_DIR || n === `${CHECKPOINT_DIR}.prev`);
  } catch {
    return false;
  }
}

export async function heal(options: HealOptions): Promise<HealResult> {
  const o = { ...HEAL_DEFAULTS, ...options };
  const log = options.log ?? (() => {});
  const out = resolve(o.out);
  const started = Date.now();
  checkTrainOptions(o);
  if (!Number.isInteger(o.seqLen) || o.seqLen < 2) {
    throw new LoraError('CONFIG_INVALID', `seq_len: must be an integer >= 2, got ${o.seqLen}`, { field: 'seq_len', limit: 2 });
  }
  const field = o.field ?? 'text';
  if (typeof field !== 'string' || field === '') {
    throw new LoraError('CONFIG_INVALID', `field: must be a non-empty JSON Lines field or Parquet column name, got ${JSON.stringify(field)}`, { field: 'field' });
  }
  const checkpointFound = await hasCheckpoint(out);
  if (o.resume === true && !checkpointFound) {
    throw new LoraError('RESUME_WITHOUT_CHECKPOINT', `--resume: no checkpoint in ${out} (expected ${join(out, CHECKPOINT_DIR)})`, { file: out });
  }
  const resume = o.resume === 'auto' ? checkpointFound : (o.resume ?? false);
  // Fail before loading the model: a missing file, a FIFO or a device is refused here (typed DataError).
  await (await openRegularFile(o.data)).handle.close();
  if (o.evalData) await (await openRegularFile(o.evalData)).handle.close();
  // So is a corpus whose first document cannot be read, e.g. without the text field or
  // column (MISSING_FIELD, naming the columns a Parquet file has): only that far is read.
  for (const file of o.evalData ? [o.data, o.evalData] : [o.data]) {
    const documents = readDocuments(file, { ...options.readLimits, field });
    await documents.next();
    await documents.return(undefined);
  }
  const factories: readonly TrainerFactory[] = options.trainer === undefined ? [tfjsTrainerFactory(o.backend ?? 'auto')] : ([] as TrainerFactory[]).concat(options.trainer);
  const modelDir = await openModelDir(o.model);
  let trainer: LoraTrainer | null = null;
  let output: InPlaceOutput | null = null;
  try {
    checkTrainable(modelDir.config, modelDir.dir);
    // A bitsandbytes checkpoint (`layerprune quantize` output): its logical tensors,
    // checked against config.json like a dense model's, are the base. Wraps modelDir
    // (closed below), nothing reopened.
    const quantized = (await isQuantizedModelDir(modelDir.dir)) ? await openQuantizedWeights(modelDir) : null;
    if (quantized) validateQuantizedWeights(quantized);
    const reader: WeightReader = quantized ? quantizedWeightReader(quantized) : modelDir.weights;
    // Everything that can be refused is refused before the output directory exists.
    checkTrainOptions({ ...o, maxPositionEmbeddings: modelDir.config.maxPositionEmbeddings });
    const loraConfig = resolveLoraConfig({
      rank: o.rank,
      alpha: o.alpha,
      dropout: o.dropout,
      targetModules: o.targets,
      useRslora: o.useRslora ?? false,
      baseModelNameOrPath: modelDir.dir,
    });
    // An engine list none of which can train this model is refused here (unsupportedReason
    // reads the config only; chooseTrainer then throws without loading any runtime).
    if (factories.every((f) => f.unsupportedReason(modelDir.config, o.bits, o.seqLen) !== null)) await chooseTrainer(factories, modelDir.config, o.bits, o.seqLen, modelDir.dir, log);
    // The output is checked against every input (never written inside the model or
    // over the data), locked against a second writer, and marked as a heal output.
    // 'auto' (the pipeline) also continues a heal output of ours that has no
    // checkpoint yet: a heal killed before its first save starts again in place.
    const inputs = [modelDir.dir, ...modelDir.weights.files, resolve(o.data), ...(o.evalData ? [resolve(o.evalData)] : [])];
    output = await openOutputInPlace(out, { inputs, command: 'heal', resume: resume || o.resume === 'auto', force: o.force });
    await cleanStaleTemps(out);
    // The engine, once the output is known to be safe (a runtime may write its own files, e.g.
    // onnxruntime's ~/.cache): one that cannot train this model, or whose runtime does not
    // load, fails here and a new output is discarded (below), so nothing is left behind.
    const { prepared } = await chooseTrainer(factories, modelDir.config, o.bits, o.seqLen, modelDir.dir, log);
    // chooseTrainer names the engine when it had a choice; a single one is named here.
    if (factories.length === 1) log(`layerprune: training engine ${prepared.name} on ${prepared.backend}`);
    const tokenizer = options.tokenizer ?? (await loadTokenizer(modelDir.dir));
    const needed = o.steps * o.batchSize;
    const train = await loadPackedData(o.data, tokenizer, { ...options.readLimits, field, seqLen: o.seqLen, maxSequences: needed });
    if (train.data.count < needed) log(`training data gives ${train.data.count} sequences of ${o.seqLen} tokens for ${needed} needed: it will be repeated (seeded reshuffle per epoch)`);
    const evalSet = o.evalData && o.evalSequences > 0
      ? (await loadPackedData(o.evalData, tokenizer, { ...options.readLimits, field, seqLen: o.seqLen, maxSequences: o.evalSequences, skipDocuments: o.evalSkipDocuments ?? 0 })).data
      : null;

    const q = quantized?.quantization;
    const how = !q
      ? `at ${o.bits} bits`
      : q.loadIn4bit && o.bits === 4
        ? `as stored (${q.quantType}, 4-bit states kept exactly)`
        : `dequantized from ${q.quantType} and stored at ${o.bits} bits`;
    log(`loading ${modelDir.dir} with block linears ${how}`);
    const base = await FrozenBase.load(modelDir.config, reader, o.bits);
    const initRng = new SeededRng(o.seed);
    // On a fused checkpoint (Phi-3) logical targets resolve to its fused modules; the log says which.
    const adapters = LoraAdapters.create(loraConfig, llamaLinearShapes(modelDir.config), initRng, log);
    trainer = await prepared.create(base, adapters);
    const evalBefore = evalSet && !resume ? await evaluateLoss(trainer, evalSet, o.microBatchSize) : null;
    if (evalBefore !== null) log(`held-out loss before healing: ${evalBefore.toFixed(4)}`);

    const result = await trainLora(trainer, train.data, {
      steps: o.steps,
      batchSize: o.batchSize,
      microBatchSize: o.microBatchSize,
      learningRate: o.learningRate,
      warmupSteps: o.warmupSteps,
      maxGradNorm: o.maxGradNorm,
      adamw: { weightDecay: o.weightDecay },
      seed: o.seed,
      outDir: out,
      saveEvery: o.saveEvery,
      resume,
      // Contents, not just paths: a checkpoint made from other weights or data is never continued.
      // Not the engine: the loop state is plain arrays, so a heal begun on tfjs may resume on onnx.
      fingerprint: {
        model: modelDir.dir,
        data: resolve(o.data),
        bits: o.bits,
        model_sha: await fingerprintInputs([modelDir.dir]),
        data_sha: await fingerprintInputs([resolve(o.data)]),
        // Another field reads other text from the same file. Recorded only when it is not
        // the default, so checkpoints made before the option existed still resume.
        ...(field === 'text' ? {} : { data_field: field }),
      },
      onStep: options.onProgress,
    });
    const saved = await saveLoraAdapter(out, adapters);
    const evalAfter = evalSet ? await evaluateLoss(trainer, evalSet, o.microBatchSize) : null;
    if (evalAfter !== null) log(`held-out loss after healing: ${evalAfter.toFixed(4)}`);

    const lossCurvePath = join(out, LOSS_CURVE_NAME);
    const points = result.losses.map((loss, i) => ({ step: i + 1, loss }));
    await writeFileAtomic(lossCurvePath, await (options.renderLossCurve ?? renderLossCurve)(points));
    let mergedDir: string | null = null;
    if (o.merge) {
      log('writing the merged model');
      mergedDir = (await writeMergedModel(modelDir.dir, adapters, join(out, 'merged'), { dtype: o.mergeDtype, quantizedBase: base })).dir;
    }
    const seconds = (Date.now() - started) / 1000;
    const trainedTokens = (result.steps - (result.resumedFromStep ?? 0)) * o.batchSize * o.seqLen;
    const healResult: HealResult = {
      out,
      adapterFiles: [saved.configPath, saved.weightsPath],
      mergedDir,
      steps: result.steps,
      resumedFromStep: result.resumedFromStep,
      finalLoss: result.finalLoss,
      evalLossBefore: evalBefore,
      evalLossAfter: evalAfter,
      evalSequences: evalSet?.count ?? 0,
      trainSequences: train.data.count,
      trainDocuments: train.documents,
      trainableParameters: adapters.parameterCount(),
      bits: o.bits,
      baseLinearBytes: base.linearBytes(),
      targets: [...adapters.config.targetModules],
      engine: prepared.name,
      backend: prepared.backend,
      seconds,
      tokens: trainedTokens,
      tokensPerSecond: trainedTokens / Math.max(result.seconds, 1e-9),
      peakRssBytes: result.peakRssBytes,
      logPath: result.logPath,
      lossCurvePath,
    };
    await writeFileAtomic(join(out, 'heal_result.json'), `${JSON.stringify(healResult, null, 2)}\n`);
    return healResult;
  } catch (error) {
    // A heal that failed before its first checkpoint leaves no output behind.
    if (output !== null && !(await hasCheckpoint(out))) await output.discard();
    throw error;
  } finally {
    await trainer?.dispose();
    await modelDir.close();
    await output?.lock.release();
  }
}
