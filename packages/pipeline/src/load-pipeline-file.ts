// Reads a pipeline file: JSON (.json) or YAML (.yaml / .yml), same fields as the
// command-line options (see PipelineConfig), checked field by field (see checkPipelineInput).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { checkPipelineInput } from './check-pipeline-input.js';
import type { PipelineConfigInput } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';

/** Pipeline files are small; anything larger is a mistake (a model file passed by accident). */
export const MAX_PIPELINE_FILE_BYTES = 1_000_000;

/** Why a read failed, in words rather than the syscall's ("EISDIR: illegal operation on a directory, read"). */
function readFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return (error as Error).message;
}

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
    throw new PipelineError('CONFIG_NOT_FOUND', `${path}: cannot read the pipeline file (${readFailure(error)})`, { file: path, cause: error });
  }
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new PipelineError('CONFIG_INVALID', `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`, { file: path, cause: error });
  }
  // JSON.parse keeps the last of two equal keys without a word; YAML refuses them. A JSON file is
  // read again as YAML (a superset of JSON) only to find a key given twice, and is refused as YAML would be.
  if (extname(path).toLowerCase() === '.json') {
    const duplicate = parseDocument(text).errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (duplicate) {
      const at = duplicate.linePos?.[0];
      const where = at ? `line ${at.line}, column ${at.col}` : 'somewhere';
      throw new PipelineError('CONFIG_INVALID', `${path}: a key is given twice (${where}): JSON would keep the last value silently; give it once`, { file: path });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PipelineError('CONFIG_INVALID', `${path}: a pipeline file must hold an object of options`, { file: path });
  }
  // Checked here, before merging, so that a misspelt key (`heal: { stepz: 3 }`) or a
  // bad value is reported against this file, never ignored or blamed on another layer.
  return checkPipelineInput(value, { file: path });
}
