// Breaks a model directory's weights for validation tests: tensors dropped or
// added without touching config.json, so the two disagree.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors } from '../open-safetensors.js';
import type { TensorSource } from '../types.js';
import { writeSafetensors } from '../write-safetensors.js';

/** Rewrites <dir>/model.safetensors keeping the tensors `keep` accepts (bytes unchanged), plus `extra` (F32 zeros of the shapes given). */
export async function rewriteWeights(dir: string, keep: (name: string) => boolean, extra: Record<string, number[]> = {}): Promise<void> {
  const path = join(dir, 'model.safetensors');
  const reader = await openSafetensors(path);
  const sources: TensorSource[] = [];
  for (const [name, info] of reader.tensors) {
    if (!keep(name)) continue;
    const bytes = await reader.readRaw(name);
    sources.push({ name, dtype: info.dtype, shape: info.shape, read: () => bytes });
  }
  await reader.close();
  for (const [name, shape] of Object.entries(extra)) {
    sources.push({ name, dtype: 'F32', shape, read: () => new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  }
  await rm(path);
  await writeSafetensors(path, sources, { metadata: { format: 'pt' } });
}
