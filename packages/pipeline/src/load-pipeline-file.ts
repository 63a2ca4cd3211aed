// Reads a pipeline file: JSON (.json) or YAML (.yaml / .yml), same fields as the
// command-line options (see PipelineConfig).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { PipelineConfigInput } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';

/** Pipeline files are small; anything larger is a mistake (a model file passed by accident). */
export const MAX_PIPELINE_FILE_BYTES = 1_000_000;

export async function loadPipelineFile(path: string): Promise<PipelineConfigInput> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_PIPELINE_FILE_BYTES) {
      throw new PipelineError('CONFIG_INVALID', `${path}: ${bytes.length} bytes, over the ${MAX_PIPELINE_FILE_BYTES}-byte limit for a pipeline file`, { file: path });
    }
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('CONFIG_NOT_FOUND', `${path}: cannot read the pipeline file (${(error as Error).message})`, { file: path, cause: error });
  }
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new PipelineError('CONFIG_INVALID', `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, { file: path, cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PipelineError('CONFIG_INVALID', `${path}: a pipeline file must hold an object of options`, { file: path });
  }
  return value as PipelineConfigInput;
}
