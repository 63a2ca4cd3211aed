// Splits tensors over several safetensors files of at most `maxShardBytes`
// tensor bytes each, named and indexed like transformers' save_pretrained:
// `model-00001-of-00003.safetensors` ... plus `model.safetensors.index.json`
// ({"metadata": {"total_size": n}, "weight_map": {tensor: file}}). A single
// shard is written as `model.safetensors` with no index. Tensors keep their
// order; a tensor larger than the limit gets a shard of its own.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TensorIoError } from './errors.js';
import { fsError } from './fs-error.js';
import type { TensorSource } from './types.js';
import { writeFileAtomic } from './write-file-atomic.js';
import { tensorByteLength, writeSafetensors } from './write-safetensors.js';

export interface WriteShardedSafetensorsOptions {
  /** Upper bound on the tensor bytes per shard (see parseByteSize). */
  maxShardBytes: number;
  /** Stored as `__metadata__` in every shard. */
  metadata?: Record<string, string>;
  /** File name stem, default 'model'. */
  baseName?: string;
}

export interface ShardedWriteResult {
  /** Absolute or `dir`-relative paths of the written shards, in order. */
  files: string[];
  /** Path of the index, or null when everything fit in one file. */
  indexPath: string | null;
  /** Sum of all tensor bytes (the index's total_size). */
  totalSize: number;
}

/** Transformers' shard name: five-digit, one-based. */
export function shardFileName(baseName: string, index: number, count: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `${baseName}-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

function groupIntoShards(tensors: readonly TensorSource[], maxShardBytes: number, dir: string): TensorSource[][] {
  const shards: TensorSource[][] = [];
  let current: TensorSource[] = [];
  let currentBytes = 0;
  const seen = new Set<string>();
  for (const tensor of tensors) {
    // Checked here, not per shard: the same name in two shards would make the index ambiguous.
    if (seen.has(tensor.name)) {
      throw new TensorIoError('DUPLICATE_TENSOR', `${dir}: tensor "${tensor.name}" is given more than once`, { file: dir, tensor: tensor.name });
    }
    seen.add(tensor.name);
    const bytes = tensorByteLength(tensor, dir);
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(tensor);
    currentBytes += bytes;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/** Removes shards and indexes of an earlier save with the same stem, so the directory has exactly one consistent copy. */
async function removeStaleOutputs(dir: string, baseName: string, keep: Set<string>): Promise<void> {
  const escaped = baseName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^${escaped}(-\\d{5}-of-\\d{5})?\\.safetensors(\\.index\\.json)?$`);
  for (const name of await readdir(dir)) {
    if (ours.test(name) && !keep.has(name)) await unlink(join(dir, name));
  }
}

/** Writes `tensors` as one or more shards in `dir` (created if missing). Each file is written atomically. */
export async function writeShardedSafetensors(
  dir: string,
  tensors: TensorSource[],
  options: WriteShardedSafetensorsOptions,
): Promise<ShardedWriteResult> {
  const { maxShardBytes, metadata } = options;
  const baseName = options.baseName ?? 'model';
  if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes <= 0) {
    throw new TensorIoError('INVALID_SIZE', `${dir}: maxShardBytes must be a positive integer, got ${maxShardBytes}`, {
      file: dir,
      field: 'maxShardBytes',
    });
  }
  if (baseName === '' || /[/\\]/.test(baseName) || baseName === '.' || baseName === '..') {
    throw new TensorIoError('INVALID_ARGUMENT', `${dir}: baseName ${JSON.stringify(baseName)} must be a plain file name stem`, {
      file: dir,
      field: 'baseName',
    });
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw fsError(cause, dir, 'write');
  }
  const shards = groupIntoShards(tensors, maxShardBytes, dir);
  const totalSize = tensors.reduce((sum, t) => sum + tensorByteLength(t, dir), 0);
  const names = shards.length === 1 ? [`${baseName}.safetensors`] : shards.map((_, i) => shardFileName(baseName, i, shards.length));
  const files: string[] = [];
  const weightMap: [string, string][] = [];
  for (let i = 0; i < shards.length; i++) {
    const file = join(dir, names[i]);
    await writeSafetensors(file, shards[i], { metadata });
    files.push(file);
    for (const tensor of shards[i]) weightMap.push([tensor.name, names[i]]);
  }
  let indexPath: string | null = null;
  const keep = new Set(names);
  if (shards.length > 1) {
    const indexName = `${baseName}.safetensors.index.json`;
    indexPath = join(dir, indexName);
    keep.add(indexName);
    const index = { metadata: { total_size: totalSize }, weight_map: Object.fromEntries(weightMap) };
    await writeFileAtomic(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  }
  try {
    await removeStaleOutputs(dir, baseName, keep);
  } catch (cause) {
    throw fsError(cause, dir, 'write');
  }
  return { files, indexPath, totalSize };
}
