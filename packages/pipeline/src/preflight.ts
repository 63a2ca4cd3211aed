// Checks done before any long work, so a wrong model, data file or task path
// fails in the first seconds with one clear error: the model directory parses
// (config, safetensors headers, sizes), its weights agree with its config
// (openModelDir runs tensor-io's validateModelWeights: layer count, every tensor
// present with the shape the config implies, none unexplained) and none of its
// files is a symlink to outside it, its architecture is supported, it has a
// tokenizer, and every input file exists.
import { access, stat } from 'node:fs/promises';
import type { TaskSpec } from '@layerprune/eval';
import { openModelDir } from '@layerprune/tensor-io';
import type { PipelineConfig } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';
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

export async function preflight(config: PipelineConfig, modelDir: string, tasks: TaskSpec[]): Promise<ModelFacts> {
  const model = await openModelDir(modelDir);
  try {
    if (model.files.tokenizer === null) {
      throw new PipelineError('CONFIG_INVALID', `model: ${modelDir} has no tokenizer.json`, { file: modelDir, field: 'model' });
    }
    const c = model.config;
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
