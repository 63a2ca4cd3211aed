// Copies what a model directory holds besides its weights and config (tokenizer,
// tokenizer_config, generation_config, chat templates, README...) into the
// pruned model. Files that look like weights of another format (.bin, .pth,
// .gguf...) are NOT copied: they describe the unpruned model and a loader could
// pick them up instead of the pruned safetensors.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { ModelDir } from '@layerprune/tensor-io';

export interface CopiedFiles {
  /** Paths relative to the model directory. */
  copied: string[];
  /** Relative paths left out, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

const WEIGHT_LIKE = /\.(safetensors|bin|pt|pth|ckpt|gguf|ggml|h5|msgpack|onnx|npz)$|\.safetensors\.index\.json$|\.bin\.index\.json$/i;
/** Written by surgery itself: the rewritten config and the new provenance (the old one is embedded in it). */
const REWRITTEN = new Set(['config.json', 'layerprune.json']);

/** Copy the non-weight files of `model` into `dest` (which exists). */
export async function copyModelFiles(model: ModelDir, dest: string): Promise<CopiedFiles> {
  const { tokenizer, tokenizerConfig, generationConfig, others } = model.files;
  const candidates = [tokenizer, tokenizerConfig, generationConfig, ...others].filter((p): p is string => p !== null);
  const weightFiles = new Set(model.weights.files);
  const copied: string[] = [];
  const skipped: CopiedFiles['skipped'] = [];
  for (const path of [...new Set(candidates)]) {
    const rel = relative(model.dir, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      skipped.push({ file: path, reason: 'outside the model directory' });
      continue;
    }
    if (REWRITTEN.has(rel)) continue;
    if (weightFiles.has(path) || WEIGHT_LIKE.test(rel)) {
      skipped.push({ file: rel, reason: 'weights of the unpruned model' });
      continue;
    }
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    await copyFile(path, join(dest, rel));
    copied.push(rel);
  }
  return { copied: copied.sort(), skipped };
}
