// What `--resume` compares so it never reuses results computed from other
// inputs: a digest of the inputs' contents, not of their paths. Small files
// (configs, tokenizers, data) are hashed whole; a large file (weights) by its
// size, modification time and the sha256 of its first and last MiB (for
// safetensors the first MiB holds the header: every tensor's name, dtype,
// shape and offsets), so fingerprinting a 15 GB model reads 2 MiB per shard.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_MANIFEST_NAME } from './output-manifest.js';
import { parseTempName } from './temp-names.js';

/** Files up to this size are hashed whole. */
export const FULL_HASH_LIMIT_BYTES = 64 * 1024 * 1024;
const EDGE_BYTES = 1024 * 1024;

async function hashWhole(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function hashEdges(path: string, size: number, mtimeMs: number): Promise<string> {
  const hash = createHash('sha256').update(`${size}:${mtimeMs}:`);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(EDGE_BYTES);
    for (const position of [0, size - EDGE_BYTES]) {
      const { bytesRead } = await handle.read(buffer, 0, EDGE_BYTES, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** sha256 (hex) over every file under `paths` (files or directories), by relative name and content. */
export async function fingerprintInputs(paths: string[]): Promise<string> {
  const total = createHash('sha256');
  const visit = async (path: string, rel: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) {
        // Our own marker and work in progress are not part of a model's content.
        if (name === OUTPUT_MANIFEST_NAME || parseTempName(name) !== null || name.endsWith('.layerprune-lock')) continue;
        await visit(join(path, name), `${rel}/${name}`);
      }
      return;
    }
    if (!info.isFile()) {
      total.update(`${rel}:special\n`);
      return;
    }
    const digest = info.size <= FULL_HASH_LIMIT_BYTES ? await hashWhole(path) : await hashEdges(path, info.size, info.mtimeMs);
    total.update(`${rel}:${info.size}:${digest}\n`);
  };
  for (const [i, path] of paths.entries()) await visit(path, String(i));
  return total.digest('hex');
}
