// Test helpers: what a heal output directory holds (the saved adapter, the step of its checkpoint).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors } from '@layerprune/tensor-io';

/** Every tensor of <dir>/adapter_model.safetensors by name. */
export async function readAdapter(dir: string): Promise<Map<string, Float32Array>> {
  const reader = await openSafetensors(join(dir, 'adapter_model.safetensors'));
  const out = new Map<string, Float32Array>();
  for (const name of reader.tensors.keys()) out.set(name, await reader.readFloat32(name));
  await reader.close();
  return out;
}

/** The step of the checkpoint in `out`, 0 while there is none (or it is being replaced). */
export async function checkpointStep(out: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(join(out, 'checkpoint', 'trainer_state.json'), 'utf8')) as { step: number }).step;
  } catch {
    return 0;
  }
}

/** Largest |a - b| over two adapters with the same tensor names. */
export function maxAdapterDifference(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let max = 0;
  for (const [name, values] of a) values.forEach((x, i) => (max = Math.max(max, Math.abs(x - b.get(name)![i]))));
  return max;
}
