// `layerprune run` as a library: analyze -> prune (per fraction and method) ->
// evaluate -> heal -> evaluate again -> report. Every stage is recorded in the
// output directory with a key over its settings and the contents of its inputs,
// so `resume` redoes only what did not finish, or what was computed from inputs
// that have changed since. The output directory is checked against the inputs,
// locked against a second writer, and marked as a run (see @layerprune/safe-output).
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseTaskSpec, type TaskSpec } from '@layerprune/eval';
import { heal, type TrainerFactory } from '@layerprune/lora';
import {
  RESULTS_SCHEMA_VERSION,
  writeReport,
  type HealingSummary,
  type MetricSpec,
  type MetricValues,
  type PrunedRun,
  type RunResults,
  type WrittenReport,
} from '@layerprune/report';
import { DistanceTable, similarityMetricInfo, type SimilarityMetric } from '@layerprune/similarity';
import { fingerprintInputs, openOutputInPlace } from '@layerprune/safe-output';
import type { EngineFactory } from '@layerprune/model';
import { pruneModel } from '@layerprune/surgery';
import { modelDisplayName, writeFileAtomic } from '@layerprune/tensor-io';
import { analysisDocument } from './analysis-document.js';
import { analyzeStage, analyzeStageSummary } from './analyze-stage.js';
import { collectEnvironment } from './collect-environment.js';
import { engineFactories } from './engine/engine-factories.js';
import { trainerFactories } from './engine/trainer-factories.js';
import { evaluateModelDir, type ModelEvaluation } from './evaluate-model-dir.js';
import type { PipelineConfig } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';
import { planRuns, type PlannedRun } from './plan-runs.js';
import { preflight } from './preflight.js';
import { resolveSeqLen } from './resolve-seq-len.js';
import { StageStore } from './stage-store.js';

export interface PipelineEvent {
  stage: string;
  /** 'start' | 'progress' | 'done' | 'reused' */
  kind: 'start' | 'progress' | 'done' | 'reused';
  done?: number;
  total?: number;
  unit?: string;
  fields?: Record<string, string | number>;
  seconds?: number;
}

export interface RunPipelineOptions {
  resume?: boolean;
  /** Replace a previous layerprune output in the output directory (never anything else). */
  force?: boolean;
  /** The command line as typed, recorded in the report. */
  commands?: string[];
  toolVersion: string;
  onEvent?: (event: PipelineEvent) => void;
  log?: (line: string) => void;
}

export interface PipelineResult {
  out: string;
  report: WrittenReport;
  results: RunResults;
  reusedStages: string[];
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) {
    const s = await stat(join(dir, name));
    if (s.isFile() && name.endsWith('.safetensors')) total += s.size;
  }
  return total;
}

async function readLossCurve(logPath: string): Promise<HealingSummary['curve']> {
  const text = await readFile(logPath, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { step: number; loss: number })
    .map(({ step, loss }) => ({ step, loss }));
}

export async function runPipeline(config: PipelineConfig, options: RunPipelineOptions): Promise<PipelineResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const emit = options.onEvent ?? (() => {});
  const out = resolve(config.out);
  const modelDir = resolve(config.model);
  const tasks: TaskSpec[] = config.eval.map((t) => {
    const spec = parseTaskSpec(t);
    return { ...spec, path: resolve(spec.path) };
  });
  // Before the output is opened: `engine: onnx` without its package fails here, writing nothing.
  const engineOptions = { backend: config.backend, threads: config.threads, device: config.device, log };
  const engine = await engineFactories(config.engine, engineOptions);
  // Healing trains on the engine the same options choose (by the same rules); asked for only when the run heals.
  const trainerOptions = { ...engineOptions, keepActivations: config.heal.keepActivations, names: { keepActivations: 'heal.keepActivations' } };
  const trainer = config.heal.steps > 0 ? await trainerFactories(config.engine, trainerOptions) : [];
  // Everything that can be checked without long work is checked first, for every stage (engines included).
  const info = await preflight(config, modelDir, tasks, engine, trainer);
  const dataPath = resolve(config.data);
  const output = await openOutputInPlace(out, {
    inputs: [modelDir, dataPath, ...tasks.map((t) => t.path)],
    command: 'run',
    resume: options.resume ?? false,
    force: options.force ?? false,
  });
  try {
    return await runStages(config, options, { out, modelDir, dataPath, tasks, info, engine, trainer, started, log, emit });
  } catch (error) {
    // A new run that failed before finishing any stage leaves nothing behind;
    // one with finished stages keeps them for --resume.
    if (!(await StageStore.hasRecords(out))) await output.discard();
    throw error;
  } finally {
    await output.lock.release();
  }
}

interface RunContext {
  out: string;
  modelDir: string;
  dataPath: string;
  tasks: TaskSpec[];
  info: Awaited<ReturnType<typeof preflight>>;
  /** Engines that analysis and evaluation load models with. */
  engine: EngineFactory[];
  /** Engines that healing trains with (trainerFactories: the same choice), in order of preference. */
  trainer: TrainerFactory[];
  started: number;
  log: (line: string) => void;
  emit: (event: PipelineEvent) => void;
}

async function runStages(config: PipelineConfig, options: RunPipelineOptions, context: RunContext): Promise<PipelineResult> {
  const { out, modelDir, dataPath, tasks, info, engine, trainer, started, log, emit } = context;
  // Stage keys hold the inputs' contents, so a resumed run never reuses results
  // computed from a model or data that changed since (they are recomputed).
  const fingerprints = {
    model: await fingerprintInputs([modelDir]),
    data: await fingerprintInputs([dataPath]),
    tasks: await fingerprintInputs(tasks.map((t) => t.path)),
  };
  const store = new StageStore(out, options.resume ?? false, log);
  const readLimits = { maxDocumentBytes: config.maxDocumentBytes, encodingErrors: config.encodingErrors };
  const metric = similarityMetricInfo(config.analysis.metric as SimilarityMetric).name;
  const numLayers = info.numLayers;

  // 1. Analysis: distances d[n][l] on the calibration data.
  // No stage key holds the engine, its threads or its device: the engines agree to 1e-5, so a
  // resumed run on another engine reuses the finished stages instead of recomputing them.
  emit({ stage: 'analyze', kind: 'start' });
  // The text field is in the keys only when it is not the default, so runs made before it existed keep their keys.
  const textField = config.textField === 'text' ? {} : { textField: config.textField };
  const analysisKey = { modelDir, data: config.data, a: config.analysis, seed: config.seed, model: fingerprints.model, dataSha: fingerprints.data, readLimits, ...textField };
  const analysisStage = await store.run('analyze', analysisKey, async () =>
    analyzeStageSummary(
      await analyzeStage({
        modelDir,
        dataFile: dataPath,
        samples: config.analysis.samples,
        seqLen: resolveSeqLen(config, 'analysis', info.context, modelDir),
        seed: config.seed,
        batchSize: config.analysis.batch,
        metric,
        backend: config.backend,
        engine,
        readLimits,
        field: config.textField,
        log,
        onProgress: (done, total) => emit({ stage: 'analyze', kind: 'progress', done, total, unit: 'samples' }),
      }),
      metric,
    ),
  );
  const analysis = analysisStage.result;
  // A record from before engines were recorded (a resumed older run) has none: it ran on TensorFlow.js.
  const analysisEngine = (analysis as Partial<typeof analysis>).engine ?? 'tfjs';
  emit({ stage: 'analyze', kind: analysisStage.reused ? 'reused' : 'done', seconds: analysisStage.seconds });
  // The same analysis.json as `layerprune analyze` writes, so `layerprune prune
  // --from-analysis <out>/analysis.json --n N` works on a run's output too.
  const document = analysisDocument({
    table: DistanceTable.fromJSON(analysis.table),
    metric,
    toolVersion: options.toolVersion,
    model: { dir: modelDir, modelType: info.modelType, engine: analysisEngine, backend: analysis.backend, mode: analysis.mode },
    data: {
      file: dataPath,
      format: 'auto',
      seed: config.seed,
      samplesRequested: config.analysis.samples,
      seqLen: resolveSeqLen(config, 'analysis', info.context, modelDir),
      sampled: analysis.sampled,
      truncated: analysis.truncated,
    },
  });
  await writeFileAtomic(join(out, 'analysis.json'), `${JSON.stringify(document, null, 2)}\n`);

  const { runs: planned, notes } = planRuns(numLayers, config.fractions, config.methods, (n) => {
    const best = analysis.optimal.find((o) => o.n === n);
    if (!best) throw new PipelineError('NO_RUNS', `the analysis has no block of size ${n}`);
    return best.start;
  });
  for (const note of notes) log(`run: ${note}`);
  if (planned.length === 0) throw new PipelineError('NO_RUNS', 'no pruned model to build: check --fractions and --methods');

  const evalOptions = {
    tasks,
    shots: config.evaluation.shots,
    limit: config.evaluation.limit,
    batch: config.evaluation.batch,
    lossChars: config.evaluation.lossChars,
    seed: config.seed,
    backend: config.backend,
    readLimits,
    log,
  };
  const evaluate = async (stage: string, dir: string): Promise<ModelEvaluation> => {
    emit({ stage, kind: 'start' });
    // The evaluated model's contents are in the key: a pruned or healed model that was
    // rebuilt (its source or data changed) is evaluated again, never reused from before.
    const model = dir === modelDir ? fingerprints.model : await fingerprintInputs([dir]);
    const key = { dir, evalOptions: { ...evalOptions, log: undefined }, tasks: fingerprints.tasks, model };
    const r = await store.run(stage, key, () =>
      evaluateModelDir(dir, {
        ...evalOptions,
        // Outside evalOptions, so not in the key (see the analysis stage).
        engine,
        onProgress: (task, done, total) => emit({ stage, kind: 'progress', done, total, unit: task }),
      }),
    );
    emit({ stage, kind: r.reused ? 'reused' : 'done', seconds: r.seconds });
    return r.result;
  };

  // 2. The unpruned model's scores: the reference line of every figure.
  const baseline = await evaluate('eval-baseline', modelDir);
  let metricSpecs: MetricSpec[] = baseline.specs;

  // 3. Each pruned model: prune, evaluate, heal, evaluate again.
  // Methods often agree on the block (the similarity optimum is frequently the deepest
  // block but the last): identical plans are pruned, evaluated and healed once.
  const built = new Map<string, Promise<BuiltPlan>>();
  const runs: PrunedRun[] = [];
  for (const run of planned) {
    const planId = `drop-${run.start}-${run.end}`;
    if (!built.has(planId)) built.set(planId, buildPlan(run, planId));
    const plan = await (built.get(planId) as Promise<BuiltPlan>);
    runs.push({
      id: run.id,
      method: run.method,
      fraction: run.fraction,
      n: run.n,
      removed: [[run.start, run.end]],
      ...plan,
    });
  }

  type BuiltPlan = Pick<PrunedRun, 'layersKept' | 'parameters' | 'bytes' | 'before' | 'after' | 'healing'>;

  async function buildPlan(run: PlannedRun, planId: string): Promise<BuiltPlan> {
    const prunedDir = join(out, 'models', planId);
    const healDir = join(out, 'healed', planId);
    emit({ stage: `prune-${planId}`, kind: 'start' });
    const pruned = await store.run(`prune-${planId}`, { modelDir, start: run.start, end: run.end, model: fingerprints.model }, async () => {
      if (run.includesFinalBlock) log(`run: ${run.id}: the similarity-optimal block [${run.start}, ${run.end}) includes the final block`);
      const r = await pruneModel({
        model: modelDir,
        out: prunedDir,
        spec: { kind: 'drop-block', start: run.start, end: run.end },
        allowFinalBlock: run.includesFinalBlock,
        force: true,
      });
      return { parameters: r.parameters.after, layersKept: r.plan.kept.length, bytes: await dirBytes(prunedDir) };
    });
    emit({ stage: `prune-${planId}`, kind: pruned.reused ? 'reused' : 'done', seconds: pruned.seconds });
    const before = await evaluate(`eval-${planId}`, prunedDir);

    let after: ModelEvaluation | null = null;
    let healing: HealingSummary | null = null;
    if (config.heal.steps > 0) {
      const stage = `heal-${planId}`;
      emit({ stage, kind: 'start' });
      // keepActivations changes speed and memory, not what is trained: outside the key, like the engine.
      const { keepActivations: _keepActivations, ...healSettings } = config.heal;
      const healKey = { prunedDir, h: healSettings, data: config.data, seed: config.seed, model: fingerprints.model, dataSha: fingerprints.data, plan: [run.start, run.end], readLimits, ...textField };
      const healed = await store.run(stage, healKey, async () => {
        const r = await healResumingWhenValid(log, healDir, {
          model: prunedDir,
          data: dataPath,
          out: healDir,
          steps: config.heal.steps,
          batchSize: config.heal.batch,
          microBatchSize: config.heal.microBatch,
          seqLen: resolveSeqLen(config, 'heal', info.context, modelDir),
          learningRate: config.heal.lr,
          warmupSteps: config.heal.warmup,
          rank: config.heal.rank,
          alpha: config.heal.alpha,
          dropout: config.heal.dropout,
          targets: config.heal.targets,
          bits: config.heal.bits,
          saveEvery: config.heal.saveEvery,
          seed: config.seed,
          // A stage interrupted mid-training continues from its last checkpoint;
          // one that never started (or never saved) starts fresh.
          resume: 'auto',
          merge: true,
          backend: config.backend,
          // Outside the stage key (see the analysis stage): a checkpoint made on one engine resumes on another.
          trainer,
          evalSequences: 0,
          readLimits,
          field: config.textField,
          log,
          onProgress: (p) =>
            emit({
              stage,
              kind: 'progress',
              done: p.step,
              total: config.heal.steps,
              unit: 'steps',
              fields: { loss: p.loss.toFixed(3), lr: p.learningRate.toExponential(1), 'tok/s': Math.round(p.tokensPerSecond) },
            }),
        });
        const summary: HealingSummary & { mergedDir: string } = {
          steps: r.steps,
          seconds: r.seconds,
          tokens: r.tokens,
          finalLoss: r.finalLoss,
          curve: await readLossCurve(r.logPath),
          mergedDir: r.mergedDir ?? '',
          engine: r.engine,
          backend: r.backend,
        };
        return summary;
      });
      emit({ stage, kind: healed.reused ? 'reused' : 'done', seconds: healed.seconds });
      healing = healed.result;
      after = await evaluate(`eval-healed-${planId}`, healed.result.mergedDir);
    }
    return {
      layersKept: pruned.result.layersKept,
      parameters: pruned.result.parameters,
      bytes: pruned.result.bytes,
      before: before.values,
      after: after?.values ?? null,
      healing: healing === null ? null : healingSummary(healing),
    };
  }

  // 4. The report.
  metricSpecs = metricSpecs.filter((m, i, all) => all.findIndex((x) => x.key === m.key) === i);
  const baselineValues: MetricValues = baseline.values;
  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'layerprune', version: options.toolVersion },
    createdAt: new Date().toISOString(),
    commands: options.commands ?? [],
    environment: await collectEnvironment(analysisEngine, analysis.backend),
    model: {
      dir: modelDir,
      // A Hugging Face cache snapshot is named by its repo id, not its commit hash.
      name: modelDisplayName(modelDir),
      modelType: info.modelType,
      layers: numLayers,
      parameters: info.parameters,
      bytes: await dirBytes(modelDir),
    },
    data: { calibration: dataPath, evaluation: Object.fromEntries(tasks.map((t) => [t.kind, t.path])) },
    analysis: {
      metric: analysis.metric,
      samples: analysis.samples,
      tokens: analysis.tokens,
      distances: analysis.distances,
      standardErrors: analysis.standardErrors,
      optimal: analysis.optimal,
    },
    metrics: metricSpecs,
    baseline: baselineValues,
    runs,
    seconds: (performance.now() - started) / 1000,
  };
  emit({ stage: 'report', kind: 'start' });
  const report = await writeReport(out, results);
  emit({ stage: 'report', kind: 'done' });
  return { out, report, results, reusedStages: store.reused };
}

/**
 * What results.json keeps of a heal stage record. A record from before healing had a
 * choice of engine (a resumed older run) names none: it trained on TensorFlow.js.
 */
function healingSummary(record: HealingSummary): HealingSummary {
  const { steps, seconds, tokens, finalLoss, curve } = record;
  return { steps, seconds, tokens, finalLoss, curve, engine: record.engine ?? 'tfjs', ...(record.backend === undefined ? {} : { backend: record.backend }) };
}

/**
 * heal() with resume 'auto', except that a checkpoint made from other inputs (the
 * source model or data changed, so the pruned model was rebuilt) is not an error
 * inside a run: the run's own heal directory is discarded and healing restarts.
 */
async function healResumingWhenValid(log: (line: string) => void, healDir: string, options: Parameters<typeof heal>[0]): ReturnType<typeof heal> {
  try {
    return await heal(options);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'CHECKPOINT_MISMATCH') throw error;
    log(`run: ${healDir}: ${(error as Error).message}; its inputs changed, so healing restarts from step 0`);
    await rm(healDir, { recursive: true, force: true });
    return heal(options);
  }
}
