// A directory layerprune wrote carries `.layerprune-output.json`. It is how the
// tool tells its own outputs from anything else: `--force` replaces only a
// directory with this marker, and `run --resume` continues only a directory
// whose marker says it holds a run.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const OUTPUT_MANIFEST_NAME = '.layerprune-output.json';

export interface OutputManifest {
  tool: 'layerprune';
  /** What wrote the directory: 'prune', 'quantize', 'heal', 'merge', 'analyze', 'run'... */
  command: string;
  createdAt: string;
  /** Anything the writer wants to find again (input fingerprints for resume, settings). */
  details?: Record<string, unknown>;
}

export function newManifest(command: string, details?: Record<string, unknown>): OutputManifest {
  return { tool: 'layerprune', command, createdAt: new Date().toISOString(), ...(details ? { details } : {}) };
}

/** The manifest in `dir`, or null when there is none (or it is not one of ours). */
export async function readOutputManifest(dir: string): Promise<OutputManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, OUTPUT_MANIFEST_NAME), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<OutputManifest>;
    if (value?.tool !== 'layerprune' || typeof value.command !== 'string') return null;
    return value as OutputManifest;
  } catch {
    return null;
  }
}

/** Writes the manifest into `dir` (replacing any copied from an input). */
export async function writeOutputManifest(dir: string, manifest: OutputManifest): Promise<void> {
  await writeFile(join(dir, OUTPUT_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}
