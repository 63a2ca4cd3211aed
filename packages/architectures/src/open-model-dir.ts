// A Hugging Face model directory of an architecture this project knows:
// tensor-io's files (config.json verbatim, safetensors headers, the other files),
// the config parsed and normalised by its architecture's spec, and (unless
// `validate: false`) every weight checked against that config before any tensor
// data is read.
import { join } from 'node:path';
import { openModelFiles, type ModelFiles } from '@layerprune/tensor-io';
import { parseArchitectureConfig, type ArchitectureConfig } from './parse-architecture-config.js';
import { validateModelWeights } from './validate-model-weights.js';

export interface ModelDir extends ModelFiles {
  readonly config: ArchitectureConfig;
}

export interface OpenModelDirOptions {
  /**
   * Check the weights against config.json (validateModelWeights) before
   * returning; default true. Only a tool that reports on broken directories
   * (inspect) or validates later in its own order should turn it off.
   */
  validate?: boolean;
}

/**
 * Opens `dir` (tensor-io's openModelFiles), parses its config.json
 * (CONFIG_INVALID / UNSUPPORTED_ARCHITECTURE naming the field) and validates the
 * weights against it (WEIGHTS_MISMATCH listing every problem). Reads no tensor data.
 */
export async function openModelDir(dir: string, options: OpenModelDirOptions = {}): Promise<ModelDir> {
  const files = await openModelFiles(dir);
  try {
    const config = parseArchitectureConfig(files.rawConfig, join(files.dir, 'config.json'));
    const model: ModelDir = { ...files, config };
    if (options.validate !== false) validateModelWeights(model);
    return model;
  } catch (error) {
    await files.close().catch(() => undefined);
    throw error;
  }
}
