// Resumable training state in <out>/checkpoint/: the adapter in PEFT format,
// the AdamW moments (optimizer.safetensors, float32, exact), and
// trainer_state.json (step, data position, RNG state, the settings that must
// match on resume). Written into a temporary directory and swapped in by
// renames, so a kill at any moment leaves a complete checkpoint on disk.
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, fsyncTree, removeOnInterrupt, tempSiblingName } from '@layerprune/safe-output';
import { openSafetensors, writeFileAtomic, writeSafetensors } from '@layerprune/tensor-io';
import type { AdamWState } from './adamw.js';
import { peftKey, type LoraAdapters } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { loadLoraAdapter, saveLoraAdapter } from './peft-adapter-io.js';
import type { RngState } from '@layerprune/data';

export const CHECKPOINT_DIR = 'checkpoint';
export const TRAINER_STATE_NAME = 'trainer_state.json';
export const OPTIMIZER_STATE_NAME = 'optimizer.safetensors';

export interface TrainerState {
  /** Optimizer updates done. */
  step: number;
  /** Sequences consumed from the seeded order. */
  position: number;
  /** Dropout generator state after `step` updates. */
  rng: RngState;
  /** Settings a resumed run must share (compared field by field). */
  fingerprint: Record<string, unknown>;
  /** Mean training loss of each step so far (for the curve after a resume). */
  losses: number[];
}

export interface Checkpoint {
  state: TrainerState;
  adapters: LoraAdapters;
  optimizer: AdamWState;
}

export async function saveCheckpoint(outDir: string, checkpoint: Checkpoint): Promise<string> {
  const final = join(outDir, CHECKPOINT_DIR);
  // A temporary name the next run recognises (and removes) if this process dies;
  // removed here on SIGINT/SIGTERM.
  const temp = join(outDir, tempSiblingName(CHECKPOINT_DIR));
  const previous = join(outDir, `${CHECKPOINT_DIR}.prev`);
  const forget = removeOnInterrupt(temp);
  try {
    await mkdir(temp, { recursive: true });
    await saveLoraAdapter(temp, checkpoint.adapters);
    const { m, v } = checkpoint.optimizer;
    await writeSafetensors(
      join(temp, OPTIMIZER_STATE_NAME),
      checkpoint.adapters.modules.flatMap((p, i) =>
        (['A', 'B'] as const).flatMap((which, j) => [
          { name: `${peftKey(p.path, which)}.exp_avg`, dtype: 'F32' as const, shape: [m[2 * i + j].length], read: () => m[2 * i + j] },
          { name: `${peftKey(p.path, which)}.exp_avg_sq`, dtype: 'F32' as const, shape: [v[2 * i + j].length], read: () => v[2 * i + j] },
        ]),
      ),
      { metadata: { step: String(checkpoint.optimizer.step) } },
    );
    await writeFileAtomic(join(temp, TRAINER_STATE_NAME), `${JSON.stringify(checkpoint.state, null, 2)}\n`);
    await fsyncTree(temp);
    // Swap: final -> prev, temp -> final, drop prev. A kill between the renames
    // leaves `prev`, which loadCheckpoint falls back to.
    await rm(previous, { recursive: true, force: true });
    if (await exists(final)) await rename(final, previous);
    await rename(temp, final);
    await fsyncPath(outDir);
    await rm(previous, { recursive: true, force: true });
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    if (cause instanceof LoraError) throw cause;
    throw new LoraError('WRITE_FAILED', `could not write checkpoint ${final}: ${(cause as Error).message}`, { file: final, cause });
  } finally {
    forget();
  }
  return final;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The checkpoint in `outDir`, or null when there is none. */
export async function loadCheckpoint(outDir: string): Promise<Checkpoint | null> {
  let dir = join(outDir, CHECKPOINT_DIR);
  if (!(await exists(join(dir, TRAINER_STATE_NAME)))) {
    dir = join(outDir, `${CHECKPOINT_DIR}.prev`);
    if (!(await exists(join(dir, TRAINER_STATE_NAME)))) return null;
  }
  const statePath = join(dir, TRAINER_STATE_NAME);
  let state: TrainerState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as TrainerState;
  } catch (cause) {
    throw new LoraError('CHECKPOINT_INVALID', `${statePath} is not valid JSON`, { file: statePath, cause });
  }
  if (!Number.isInteger(state.step) || !Number.isInteger(state.position) || !Array.isArray(state.rng) || state.rng.length !== 4) {
    throw new LoraError('CHECKPOINT_INVALID', `${statePath}: step, position and rng (4 words) are required`, { file: statePath });
  }
  const adapters = await loadLoraAdapter(dir);
  const optimizerPath = join(dir, OPTIMIZER_STATE_NAME);
  const reader = await openSafetensors(optimizerPath);
  try {
    const m: Float32Array[] = [];
    const v: Float32Array[] = [];
    for (const p of adapters.modules) {
      for (const which of ['A', 'B'] as const) {
        m.push(await reader.readFloat32(`${peftKey(p.path, which)}.exp_avg`));
        v.push(await reader.readFloat32(`${peftKey(p.path, which)}.exp_avg_sq`));
      }
    }
    const step = Number(reader.metadata.step);
    if (!Number.isInteger(step)) throw new LoraError('CHECKPOINT_INVALID', `${optimizerPath}: metadata "step" missing`, { file: optimizerPath, field: 'step' });
    return { state, adapters, optimizer: { step, m, v } };
  } finally {
    await reader.close();
  }
}
