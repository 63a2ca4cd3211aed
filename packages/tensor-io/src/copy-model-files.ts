// Copies what a model directory holds besides its weights and config (tokenizer,
// tokenizer_config, generation_config, chat templates...) into a model derived
// from it (pruned, quantized, merged), keeping relative paths. The writers pass
// README.md (MODEL_CARD_NAME) in `exclude` and write a rewritten card instead
// (renderDerivedModelCard): the source's card describes another model. Files that
// look like weights of another format (.bin, .pth, .gguf...) are NOT copied:
// they describe the source model and a loader could pick them up instead of the
// new safetensors. A symlinked file is copied as
// a regular file with its content; one that points outside the model directory
// is refused (SYMLINK_OUTSIDE_MODEL_DIR), checked again here because the link
// may have changed since the directory was opened.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { OUTPUT_MANIFEST_NAME } from '@layerprune/safe-output';
import type { ModelFiles } from './open-model-files.js';
import { resolveModelFile } from './resolve-model-file.js';

export interface CopiedFiles {
  /** Paths relative to the model directory. */
  copied: string[];
  /** Relative paths left out, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

const WEIGHT_LIKE = /\.(safetensors|bin|pt|pth|ckpt|gguf|ggml|h5|msgpack|onnx|npz)$|\.safetensors\.index\.json$|\.bin\.index\.json$/i;
/** Always written by the writer itself: the config and the output marker. */
const REWRITTEN = ['config.json', OUTPUT_MANIFEST_NAME];

/** Copy the non-weight files of `model` into `dest` (which exists), except `exclude` (relative paths the caller writes itself). */
export async function copyModelFiles(model: ModelFiles, dest: string, options: { exclude?: string[] } = {}): Promise<CopiedFiles> {
  const rewritten = new Set([...REWRITTEN, ...(options.exclude ?? [])]);
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
    if (rewritten.has(rel)) continue;
    if (weightFiles.has(path) || WEIGHT_LIKE.test(rel)) {
      skipped.push({ file: rel, reason: 'weights of the source model' });
      continue;
    }
    const source = await resolveModelFile(model.dir, path);
    await mkdir(dirname(join(dest, rel)), { recursive: true });
    await copyFile(source, join(dest, rel));
    copied.push(rel);
  }
  return { copied: copied.sort(), skipped };
}
