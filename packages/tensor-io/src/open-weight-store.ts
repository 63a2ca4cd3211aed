// The weights of a model directory as one tensor namespace, whether they sit
// in `model.safetensors` or in shards listed by `model.safetensors.index.json`.
// Only headers are read when opening; tensors are read one at a time.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TensorIoError } from './errors.js';
import { fsError } from './fs-error.js';
import { openSafetensors } from './open-safetensors.js';
import type { SafetensorsReader } from './open-safetensors.js';
import { resolveInsideDir } from './resolve-inside-dir.js';
import type { TensorArray, TensorInfo } from './types.js';

export const SAFETENSORS_WEIGHTS_NAME = 'model.safetensors';
export const SAFETENSORS_INDEX_NAME = 'model.safetensors.index.json';

export interface SafetensorsIndex {
  metadata: Record<string, unknown>;
  weight_map: Record<string, string>;
}

export interface WeightStore {
  readonly sharded: boolean;
  /** Absolute paths of the .safetensors files. */
  readonly files: string[];
  readonly index: SafetensorsIndex | null;
  /** Tensor names, file by file, each file in data order. */
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo & { file: string };
  /** See SafetensorsReader.readRaw: `into` lets callers reuse one buffer. */
  readRaw(name: string, into?: Uint8Array): Promise<Uint8Array>;
  read(name: string): Promise<TensorArray>;
  readFloat32(name: string): Promise<Float32Array>;
  close(): Promise<void>;
}

class MultiFileWeightStore implements WeightStore {
  constructor(
    readonly sharded: boolean,
    readonly files: string[],
    readonly index: SafetensorsIndex | null,
    private readonly owner: ReadonlyMap<string, SafetensorsReader>,
    private readonly readers: SafetensorsReader[],
    private readonly description: string,
  ) {}

  names(): string[] {
    const names: string[] = [];
    for (const reader of this.readers) {
      for (const name of reader.tensors.keys()) if (this.owner.get(name) === reader) names.push(name);
    }
    return names;
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  private reader(name: string): SafetensorsReader {
    const reader = this.owner.get(name);
    if (!reader) {
      throw new TensorIoError('TENSOR_NOT_FOUND', `${this.description}: no tensor named "${name}" (${this.owner.size} tensors)`, {
        file: this.description,
        tensor: name,
      });
    }
    return reader;
  }

  info(name: string): TensorInfo & { file: string } {
    const reader = this.reader(name);
    return { ...reader.info(name), file: reader.path };
  }

  readRaw(name: string, into?: Uint8Array): Promise<Uint8Array> {
    return this.reader(name).readRaw(name, into);
  }

  read(name: string): Promise<TensorArray> {
    return this.reader(name).read(name);
  }

  readFloat32(name: string): Promise<Float32Array> {
    return this.reader(name).readFloat32(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.close()));
  }
}

function parseIndex(text: string, indexPath: string): SafetensorsIndex {
  const invalid = (what: string, field?: string): TensorIoError =>
    new TensorIoError('INDEX_INVALID', `${indexPath}: ${what}`, { file: indexPath, field });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TensorIoError('INDEX_INVALID', `${indexPath}: not valid JSON (${(cause as Error).message})`, { file: indexPath, cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('must be a JSON object');
  const { metadata, weight_map: weightMap } = json as Record<string, unknown>;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw invalid('weight_map must be an object of tensor name -> file name', 'weight_map');
  }
  for (const [tensor, file] of Object.entries(weightMap)) {
    if (typeof file !== 'string') throw invalid(`weight_map["${tensor}"] must be a file name string`, 'weight_map');
  }
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw invalid('metadata must be an object', 'metadata');
  }
  return { metadata: { ...((metadata as Record<string, unknown> | null) ?? {}) }, weight_map: { ...(weightMap as Record<string, string>) } };
}

async function openAll(paths: string[]): Promise<SafetensorsReader[]> {
  const readers: SafetensorsReader[] = [];
  try {
    for (const path of paths) readers.push(await openSafetensors(path));
    return readers;
  } catch (cause) {
    await Promise.all(readers.map((reader) => reader.close().catch(() => undefined)));
    throw cause;
  }
}

async function openSharded(dir: string, indexPath: string, text: string): Promise<WeightStore> {
  const index = parseIndex(text, indexPath);
  const byFile = new Map<string, string>(); // weight_map file name -> absolute path
  for (const [tensor, file] of Object.entries(index.weight_map)) {
    if (!byFile.has(file)) byFile.set(file, resolveInsideDir(dir, file, indexPath, tensor));
  }
  if (byFile.size === 0) throw new TensorIoError('INDEX_INVALID', `${indexPath}: weight_map is empty`, { file: indexPath, field: 'weight_map' });
  const fileNames = [...byFile.keys()].sort();
  const readers = await openAll(fileNames.map((name) => byFile.get(name) as string));
  const readerByName = new Map(fileNames.map((name, i) => [name, readers[i]]));
  const owner = new Map<string, SafetensorsReader>();
  for (const [tensor, file] of Object.entries(index.weight_map)) {
    const reader = readerByName.get(file) as SafetensorsReader;
    if (!reader.tensors.has(tensor)) {
      await Promise.all(readers.map((r) => r.close()));
      throw new TensorIoError('INDEX_INVALID', `${indexPath}: weight_map puts tensor "${tensor}" in ${file}, which has no such tensor`, {
        file: indexPath,
        tensor,
        field: 'weight_map',
      });
    }
    owner.set(tensor, reader);
  }
  return new MultiFileWeightStore(true, readers.map((r) => r.path), index, owner, readers, indexPath);
}

/**
 * Opens the safetensors weights of a model directory: `model.safetensors` if
 * present (transformers checks it first too), else the shards listed by
 * `model.safetensors.index.json`. WEIGHTS_NOT_FOUND when neither exists.
 */
export async function openWeightStore(dir: string): Promise<WeightStore> {
  const root = resolve(dir);
  const single = join(root, SAFETENSORS_WEIGHTS_NAME);
  try {
    const reader = await openSafetensors(single);
    const owner = new Map([...reader.tensors.keys()].map((name) => [name, reader]));
    return new MultiFileWeightStore(false, [reader.path], null, owner, [reader], reader.path);
  } catch (cause) {
    if (!(cause instanceof TensorIoError && cause.code === 'FILE_NOT_FOUND')) throw cause;
  }
  const indexPath = join(root, SAFETENSORS_INDEX_NAME);
  let indexText: string;
  try {
    indexText = await readFile(indexPath, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(cause, indexPath, 'read');
    throw new TensorIoError('WEIGHTS_NOT_FOUND', `${root}: no ${SAFETENSORS_WEIGHTS_NAME} or ${SAFETENSORS_INDEX_NAME} (only safetensors weights are supported)`, {
      file: root,
      cause,
    });
  }
  return openSharded(root, indexPath, indexText);
}
