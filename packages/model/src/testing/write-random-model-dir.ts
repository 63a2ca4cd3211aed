// Writes a RandomModel as a Hugging Face directory (config.json, safetensors,
// generation_config.json) through @layerprune/tensor-io, for loadModel tests.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeToFloat32, encodeFromFloat32, writeSafetensors, writeShardedSafetensors } from '@layerprune/tensor-io';
import type { TensorSource } from '@layerprune/tensor-io';
import type { InMemoryTensor } from '../weights/tensor-reader.js';
import type { RandomModel } from './random-model.js';

export interface WriteRandomModelOptions {
  dtype?: 'F32' | 'F16' | 'BF16';
  /** Shard when set (bytes per shard). */
  maxShardBytes?: number;
  /** Leave these tensors out (to test missing-weight errors). */
  omit?: string[];
  /** Override shapes written for these tensors (data is cut or zero-padded to fit). */
  reshape?: Record<string, number[]>;
  configOverrides?: Record<string, unknown>;
}

/** Returns the weights as stored (rounded to the dtype), for the reference forward. */
export async function writeRandomModelDir(dir: string, model: RandomModel, options: WriteRandomModelOptions = {}): Promise<Map<string, InMemoryTensor>> {
  await mkdir(dir, { recursive: true });
  const dtype = options.dtype ?? 'F32';
  const stored = new Map<string, InMemoryTensor>();
  const sources: TensorSource[] = [];
  for (const [name, tensor] of model.tensors) {
    if (options.omit?.includes(name)) continue;
    const shape = options.reshape?.[name] ?? tensor.shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    data.set(tensor.data.subarray(0, size));
    const rounded = decodeToFloat32(encodeFromFloat32(data, dtype), dtype);
    stored.set(name, { shape, data: rounded });
    sources.push({ name, dtype, shape, read: () => rounded });
  }
  const config = { ...model.rawConfig, torch_dtype: dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16', ...options.configOverrides };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: [2, 3] }));
  if (options.maxShardBytes) await writeShardedSafetensors(dir, sources, { maxShardBytes: options.maxShardBytes });
  else await writeSafetensors(join(dir, 'model.safetensors'), sources);
  return stored;
}
