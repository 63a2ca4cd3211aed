// Checks done before any long work, so a wrong model, data file or task path
// fails in the first seconds with one clear error: the model directory parses
// (config, safetensors headers, sizes), its weights agree with its config
// (openModelDir runs tensor-io's validateModelWeights: layer count, every tensor
// present with the shape the config implies, none unexplained) and none of its
// files is a symlink to outside it, its architecture is supported, it has a
// tokenizer, and every input file exists. The architecture is checked for
// every stage that will run, from config.json alone (no weight is read): the
// model runtime (analysis, evaluation), the engines analysis and evaluation load
// models with (at least one of them must run it: with engine auto, tfjs takes
// over from onnx), and the training path and the engines it may train on when
// the pipeline heals. Each error starts with the stage and names the config field.
import { access, stat } from 'node:fs/promises';
import type { TaskSpec } from '@layerprune/eval';
import { checkTrainable, LoraError, type TrainerFactory } from '@layerprune/lora';
import { ModelError, resolveArchitecture, type Architecture, type EngineFactory } from '@layerprune/model';
import { openModelDir, type ArchitectureConfig } from '@layerprune/architectures';
import type { PipelineConfig } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';
import { DEFAULT_HEAL_SEQ_LEN } from './default-config.js';
import { resolveSeqLen } from './resolve-seq-len.js';

export interface ModelFacts {
  numLayers: number;
  context: number;
  modelType: string;
  parameters: number;
}

async function mustExist(path: string, field: string, kind: 'file' | 'any'): Promise<void> {
  try {
    const s = await stat(path);
    if (kind === 'file' && !s.isFile()) throw new Error('not a file');
    await access(path);
  } catch (error) {
    throw new PipelineError('CONFIG_INVALID', `${field}: cannot read ${path} (${(error as Error).message})`, { file: path, field });
  }
}

/** The same error with the stage in front of its message (code, file and field kept). */
function inStage(stage: string, error: unknown): unknown {
  if (error instanceof ModelError) {
    return new ModelError(error.code, `${stage}: ${error.message}`, { file: error.file, field: error.field, limit: error.limit, expected: error.expected, found: error.found, cause: error });
  }
  return error;
}

/**
 * Whether every stage that will run supports the model's architecture, from its
 * config alone: ModelError (UNSUPPORTED_CONFIG, UNSUPPORTED_ARCHITECTURE,
 * CONFIG_FIELD_MISSING, ENGINE_UNSUPPORTED) or LoraError UNSUPPORTED_MODEL, the
 * message starting with the stage. `engines`: the factories analysis and
 * evaluation load models with (engineFactories), in order of preference;
 * `trainers`: those healing trains with (trainerFactories), of which at least
 * one must train the model at `heal.bits` (LoraError ENGINE_UNSUPPORTED).
 */
export function checkStageSupport(
  config: PipelineConfig,
  modelConfig: ArchitectureConfig,
  rawConfig: Record<string, unknown>,
  configFile: string,
  engines: readonly EngineFactory[] = [],
  trainers: readonly TrainerFactory[] = [],
): void {
  let arch: Architecture;
  try {
    arch = resolveArchitecture(modelConfig, rawConfig, configFile);
  } catch (error) {
    throw inStage('analysis', error);
  }
  // loadModel takes the first engine that runs the model: only when none does is it an error.
  const refusals = engines.map((e) => ({ name: e.name, reason: e.unsupportedReason(arch) }));
  if (refusals.length > 0 && refusals.every((r) => r.reason !== null)) {
    const why = refusals.map((r) => `engine ${r.name}: ${r.reason}`).join('; ');
    throw new ModelError('ENGINE_UNSUPPORTED', `analysis: ${configFile}: ${why} (engine ${config.engine}; engine tfjs runs every architecture the runtime supports)`, {
      file: configFile,
      field: 'engine',
    });
  }
  if (config.heal.steps > 0) {
    // A seq_len beyond the model's positions is reported by preflight below (SEQ_LEN_TOO_LONG).
    const seqLen = config.heal.seqLen ?? Math.min(DEFAULT_HEAL_SEQ_LEN, modelConfig.maxPositionEmbeddings);
    try {
      checkTrainable(modelConfig, 'heal');
    } catch (error) {
      throw inStage('heal', error);
    }
    // heal() takes the first trainer that can train the model: only when none can is it an error.
    const trainerRefusals = trainers.map((t) => ({ name: t.name, reason: t.unsupportedReason(modelConfig, config.heal.bits, seqLen) }));
    if (trainerRefusals.length > 0 && trainerRefusals.every((r) => r.reason !== null)) {
      const why = trainerRefusals.map((r) => `engine ${r.name}: ${r.reason}`).join('; ');
      throw new LoraError('ENGINE_UNSUPPORTED', `heal: ${configFile}: ${why} (engine ${config.engine}; engine tfjs trains every model the training path supports)`, {
        file: configFile,
        field: 'engine',
      });
    }
  }
}

export async function preflight(
  config: PipelineConfig,
  modelDir: string,
  tasks: TaskSpec[],
  engines: readonly EngineFactory[] = [],
  trainers: readonly TrainerFactory[] = [],
): Promise<ModelFacts> {
  const model = await openModelDir(modelDir);
  try {
    if (model.files.tokenizer === null) {
      throw new PipelineError('CONFIG_INVALID', `model: ${modelDir} has no tokenizer.json`, { file: modelDir, field: 'model' });
    }
    const c = model.config;
    checkStageSupport(config, c, model.rawConfig, `${model.dir}/config.json`, engines, trainers);
    if (c.numHiddenLayers < 2) {
      throw new PipelineError('CONFIG_INVALID', `model: ${modelDir} has ${c.numHiddenLayers} block(s); pruning needs at least 2`, { file: modelDir, field: 'num_hidden_layers' });
    }
    // A sequence length the model has no positions for fails now, not after the analysis.
    resolveSeqLen(config, 'analysis', c.maxPositionEmbeddings, modelDir);
    resolveSeqLen(config, 'heal', c.maxPositionEmbeddings, modelDir);
    let parameters = 0;
    for (const name of model.weights.names()) parameters += model.weights.info(name).shape.reduce((a, b) => a * b, 1);
    await mustExist(config.data, 'data', 'file');
    for (const task of tasks) await mustExist(task.path, `eval ${task.kind}`, 'any');
    return { numLayers: c.numHiddenLayers, context: c.maxPositionEmbeddings, modelType: c.modelType, parameters };
  } finally {
    await model.close();
  }
}
