// A deliberately simple safetensors reader for tests, independent of
// @layerprune/tensor-io: whole file in memory, header parsed with JSON.parse.
import { readFile } from 'node:fs/promises';

export interface PlainTensor {
  dtype: string;
  shape: number[];
  bytes: Buffer;
}

export async function readSafetensorsPlain(path: string): Promise<{ tensors: Map<string, PlainTensor>; metadata: Record<string, string> }> {
  const file = await readFile(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, PlainTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: [begin, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    tensors.set(name, { dtype, shape, bytes: file.subarray(dataStart + begin, dataStart + end) });
  }
  return { tensors, metadata };
}

/** All tensors of a model directory: model.safetensors or the shards of its index, with the file each came from. */
export async function readModelTensorsPlain(dir: string): Promise<Map<string, PlainTensor & { file: string }>> {
  const out = new Map<string, PlainTensor & { file: string }>();
  let files: string[];
  try {
    const index = JSON.parse(await readFile(`${dir}/model.safetensors.index.json`, 'utf8')) as { weight_map: Record<string, string> };
    files = [...new Set(Object.values(index.weight_map))];
  } catch {
    files = ['model.safetensors'];
  }
  for (const file of files) {
    const { tensors } = await readSafetensorsPlain(`${dir}/${file}`);
    for (const [name, t] of tensors) out.set(name, { ...t, file });
  }
  return out;
}
