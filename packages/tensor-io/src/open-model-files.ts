// A Hugging Face model directory, whatever its architecture: config.json (a JSON
// object, kept verbatim; what it means is @layerprune/architectures' business),
// its safetensors weights (headers parsed, no tensor data read) and the other
// files a tool writing a derived model copies along (tokenizer, generation
// config, ...). Every file must live inside the directory (or in a Hugging Face
// cache's blobs), symlinks included.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TensorIoError } from './errors.js';
import { fsError } from './fs-error.js';
import { openWeightStore, SAFETENSORS_INDEX_NAME } from './open-weight-store.js';
import type { WeightStore } from './open-weight-store.js';
import { resolveModelFile } from './resolve-model-file.js';

export interface ModelDirFiles {
  tokenizer: string | null;
  tokenizerConfig: string | null;
  generationConfig: string | null;
  /** Every other regular, non-hidden, non-weight file (absolute paths, sorted). */
  others: string[];
}

export interface ModelFiles {
  /** Absolute path. */
  readonly dir: string;
  /** config.json verbatim, unknown fields included. */
  readonly rawConfig: Record<string, unknown>;
  readonly weights: WeightStore;
  readonly files: ModelDirFiles;
  close(): Promise<void>;
}

const CONFIG_NAME = 'config.json';
const NAMED_FILES = { tokenizer: 'tokenizer.json', tokenizerConfig: 'tokenizer_config.json', generationConfig: 'generation_config.json' };

/**
 * Weight files of any format, never listed in `others`: a tool that copies
 * `others` next to rewritten weights must not also copy stale original weights.
 */
const WEIGHT_FILE = /(\.safetensors|\.safetensors\.index\.json|\.bin|\.bin\.index\.json|\.pt|\.pth|\.ckpt|\.h5|\.msgpack|\.gguf|\.onnx)$/i;

async function readConfig(dir: string): Promise<Record<string, unknown>> {
  const path = join(dir, CONFIG_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TensorIoError('CONFIG_NOT_FOUND', `${dir}: no ${CONFIG_NAME}; not a Hugging Face model directory`, { file: path, cause });
    }
    throw fsError(cause, path, 'read');
  }
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    return json as Record<string, unknown>;
  } catch (cause) {
    throw new TensorIoError('CONFIG_INVALID', `${path}: not a JSON object (${(cause as Error).message})`, { file: path, cause });
  }
}

async function listFiles(dir: string): Promise<ModelDirFiles> {
  const files: ModelDirFiles = { tokenizer: null, tokenizerConfig: null, generationConfig: null, others: [] };
  const named = new Map(Object.entries(NAMED_FILES).map(([key, name]) => [name, key as keyof typeof NAMED_FILES]));
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (cause) {
    throw fsError(cause, dir, 'read');
  }
  for (const name of entries) {
    if (name.startsWith('.') || name === CONFIG_NAME || WEIGHT_FILE.test(name)) continue;
    const path = join(dir, name);
    // stat (not lstat): the Hugging Face cache stores files as symlinks to blobs.
    const isFile = await stat(path).then((s) => s.isFile(), () => false);
    if (!isFile) continue;
    // A copier must not carry a file from elsewhere on the machine into its output.
    await resolveModelFile(dir, path);
    const key = named.get(name);
    if (key) files[key] = path;
    else files.others.push(path);
  }
  return files;
}

async function checkWeightFiles(root: string, weights: WeightStore): Promise<void> {
  const paths = weights.sharded ? [join(root, SAFETENSORS_INDEX_NAME), ...weights.files] : weights.files;
  for (const path of paths) await resolveModelFile(root, path);
}

/**
 * Opens `dir`: reads config.json (a JSON object) and the weights' headers; refuses
 * files that are symlinks to outside the directory (SYMLINK_OUTSIDE_MODEL_DIR).
 * Reads no tensor data and knows no architecture: @layerprune/architectures'
 * openModelDir checks the config and the weights against each other.
 */
export async function openModelFiles(dir: string): Promise<ModelFiles> {
  const root = resolve(dir);
  const info = await stat(root).catch((cause: unknown) => {
    throw fsError(cause, root, 'read');
  });
  if (!info.isDirectory()) {
    throw new TensorIoError('READ_FAILED', `${root}: not a directory`, { file: root });
  }
  const rawConfig = await readConfig(root);
  await resolveModelFile(root, join(root, CONFIG_NAME));
  const files = await listFiles(root);
  const weights = await openWeightStore(root);
  try {
    await checkWeightFiles(root, weights);
  } catch (error) {
    await weights.close().catch(() => undefined);
    throw error;
  }
  return { dir: root, rawConfig, weights, files, close: () => weights.close() };
}
