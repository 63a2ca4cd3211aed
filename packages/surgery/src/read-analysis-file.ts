// Reads analysis.json (the output of `layerprune analyze`) with typed errors.
import { readFile } from 'node:fs/promises';
import { SurgeryError } from './errors.js';

/** Parsed JSON of an analysis file; its shape is checked by optimalBlockFromAnalysis. */
export async function readAnalysisFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SurgeryError('ANALYSIS_INVALID', `${path}: cannot read the analysis file (${(cause as Error).message})`, {
      file: path,
      cause,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new SurgeryError('ANALYSIS_INVALID', `${path}: not valid JSON (${(cause as Error).message})`, { file: path, cause });
  }
}
