// Writes the kept tensors, renamed, into a directory, one tensor in memory at a
// time: each TensorSource reads its raw bytes from the source store only when
// the writer asks for them, and the bytes are copied unchanged (same dtype, same
// values). Layout: a sharded input keeps its grouping (tensors stay in the shard
// that held them; shards left empty disappear), an explicit maxShardBytes
// re-shards, and a single-file input gives `model.safetensors`.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { shardFileName, writeFileAtomic, writeSafetensors, writeShardedSafetensors, type TensorSource, type WeightStore } from '@layerprune/tensor-io';
import type { TensorMove } from './map-layer-tensors.js';

export interface WriteWeightsOptions {
  /** Re-shard with this maximum shard size instead of following the input. */
  maxShardBytes?: number;
  /** safetensors `__metadata__` for every written file. */
  metadata?: Record<string, string>;
  /** Called after each tensor's bytes were handed to the writer. */
  onTensor?: (done: number, total: number, name: string, bytes: number) => void;
  /** Test hook: wait this long before reading each tensor (lets tests kill a run mid-write). */
  pauseBetweenTensorsMs?: number;
}

export interface WrittenWeights {
  /** File names (relative to the directory) and their sizes on disk, index last. */
  files: Array<{ file: string; bytes: number }>;
  indexFile: string | null;
  /** Sum of the tensors' byte lengths (the index's total_size). */
  tensorBytes: number;
}

const INDEX_FILE = 'model.safetensors.index.json';

/** Write `moves` (from `store`) into `dir`. */
export async function writePrunedWeights(
  store: WeightStore,
  moves: readonly TensorMove[],
  dir: string,
  options: WriteWeightsOptions = {},
): Promise<WrittenWeights> {
  let done = 0;
  let tensorBytes = 0;
  const sourceOf = (move: TensorMove): TensorSource => {
    const info = store.info(move.from);
    tensorBytes += info.byteLength;
    return {
      name: move.to,
      dtype: info.dtype,
      shape: [...info.shape],
      read: async () => {
        if (options.pauseBetweenTensorsMs) await new Promise((r) => setTimeout(r, options.pauseBetweenTensorsMs));
        const bytes = await store.readRaw(move.from);
        done += 1;
        options.onTensor?.(done, moves.length, move.to, bytes.byteLength);
        return bytes;
      },
    };
  };
  const metadata = options.metadata;
  const sizes = async (names: string[]): Promise<Array<{ file: string; bytes: number }>> =>
    Promise.all(names.map(async (file) => ({ file, bytes: (await stat(join(dir, file))).size })));

  if (options.maxShardBytes !== undefined) {
    const sources = moves.map(sourceOf);
    const written = await writeShardedSafetensors(dir, sources, { maxShardBytes: options.maxShardBytes, metadata });
    const names = written.files.map((f) => basename(f));
    if (written.indexPath !== null) names.push(basename(written.indexPath));
    return { files: await sizes(names), indexFile: written.indexPath && basename(written.indexPath), tensorBytes };
  }

  // Group by source file, in the store's file order, dropping emptied shards.
  const groups = store.sharded
    ? store.files
        .map((file) => moves.filter((m) => store.info(m.from).file === file))
        .filter((group) => group.length > 0)
    : [moves.slice()];
  if (groups.length <= 1) {
    await writeSafetensors(join(dir, 'model.safetensors'), (groups[0] ?? []).map(sourceOf), { metadata });
    return { files: await sizes(['model.safetensors']), indexFile: null, tensorBytes };
  }
  const weightMap: Record<string, string> = {};
  const names: string[] = [];
  for (const [i, group] of groups.entries()) {
    const file = shardFileName('model', i, groups.length);
    await writeSafetensors(join(dir, file), group.map(sourceOf), { metadata });
    for (const move of group) weightMap[move.to] = file;
    names.push(file);
  }
  // Keep the source index's metadata fields (and their order); only total_size changes.
  const index = { metadata: { ...(store.index?.metadata ?? {}), total_size: tensorBytes }, weight_map: weightMap };
  await writeFileAtomic(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  names.push(INDEX_FILE);
  return { files: await sizes(names), indexFile: INDEX_FILE, tensorBytes };
}
