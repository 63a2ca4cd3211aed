// Executes a block removal: validate everything (plan, config, output location)
// before writing, then stream tensors one at a time into a temporary sibling of
// the output, add config, tokenizer and provenance, and rename it into place.
// A crash, kill or Ctrl-C at any point leaves either no output or the previous
// one (@layerprune/safe-output: lock, temporary sibling, fsync, rename).
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { checkOutputTarget, requireReplaceable, writeOutputDirectory } from '@layerprune/safe-output';
import { copyModelFiles, MODEL_CARD_NAME, openSafetensors, readModelCard, renderDerivedModelCard } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { buildProvenance, type SourceWeightFile } from './build-provenance.js';
import { SurgeryError } from './errors.js';
import { planPrune, type PrunePreview } from './plan-prune.js';
import { pruneCardDetails } from './prune-model-card.js';
import type { RemovalSpec } from './removal-plan.js';
import { sha256File } from './sha256-file.js';
import { toolVersion } from './tool-version.js';
import { writePrunedWeights } from './write-pruned-weights.js';

export const PROVENANCE_FILE = 'layerprune.json';

export type PruneProgress =
  | { phase: 'hash'; done: number; total: number; file: string }
  | { phase: 'write'; done: number; total: number; tensor: string; bytes: number };

export interface PruneOptions {
  /** Source model directory (config.json + safetensors). Never modified. */
  model: string;
  /** Output directory: must not exist or be empty; `force` replaces a previous layerprune output. */
  out: string;
  spec: RemovalSpec;
  /** Permit removing the final block (warns). */
  allowFinalBlock?: boolean;
  /** Replace a non-empty output directory that layerprune wrote (never anything else). */
  force?: boolean;
  /** Re-shard the output (bytes); default: follow the input's sharding. */
  maxShardBytes?: number;
  onProgress?: (event: PruneProgress) => void;
  /** Clock for the provenance timestamp (tests). */
  now?: () => Date;
  /** Milliseconds to wait before each tensor (tests: lets a run be killed mid-write). Default 0. */
  pauseBetweenTensorsMs?: number;
}

export interface PruneResult extends Omit<PrunePreview, 'mapping'> {
  outDir: string;
  /** Every file of the output, relative to outDir, with its size, sorted by name. */
  files: Array<{ file: string; bytes: number }>;
  sourceWeights: SourceWeightFile[];
  copiedFiles: string[];
  skippedFiles: Array<{ file: string; reason: string }>;
  warnings: string[];
  /** Stale temporary directories of dead runs removed before writing. */
  removedTempDirs: string[];
  provenanceFile: string;
}

async function readJsonOrNull(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** Prune `options.model` into `options.out`. Throws SurgeryError before writing anything if the request is unsafe. */
export async function pruneModel(options: PruneOptions): Promise<PruneResult> {
  const model = await openModelDir(options.model);
  try {
    const preview = planPrune(model, options.spec, { allowFinalBlock: options.allowFinalBlock });
    const inputs = [model.dir, ...model.weights.files];
    // Refuse an unsafe --out before the (slow) hashing; writeOutputDirectory checks again under the lock.
    requireReplaceable(await checkOutputTarget(options.out, { inputs }), options.force ?? false);
    if (options.maxShardBytes !== undefined && !(Number.isInteger(options.maxShardBytes) && options.maxShardBytes > 0)) {
      throw new SurgeryError('PLAN_INVALID', `maxShardBytes must be a positive integer, got ${options.maxShardBytes}`, {
        field: 'maxShardBytes',
      });
    }
    // Nothing has been written so far. Hash the source first: it is read-only and
    // a failure here should not leave even a temporary directory behind.
    const sourceWeights: SourceWeightFile[] = [];
    for (const [i, path] of model.weights.files.entries()) {
      sourceWeights.push({ file: relative(model.dir, path), bytes: (await stat(path)).size, sha256: await sha256File(path) });
      options.onProgress?.({ phase: 'hash', done: i + 1, total: model.weights.files.length, file: basename(path) });
    }
    const first = await openSafetensors(model.weights.files[0]);
    const metadata = { ...first.metadata };
    await first.close();
    if (!('format' in metadata)) metadata.format = 'pt';

    try {
      const written = await writeOutputDirectory(options.out, { inputs, force: options.force, command: 'prune' }, async (tempDir) => {
        const weights = await writePrunedWeights(model.weights, preview.mapping.moves, tempDir, {
          maxShardBytes: options.maxShardBytes,
          metadata,
          pauseBetweenTensorsMs: options.pauseBetweenTensorsMs,
          onTensor: (done, total, tensor, bytes) => options.onProgress?.({ phase: 'write', done, total, tensor, bytes }),
        });
        await writeFile(join(tempDir, 'config.json'), `${JSON.stringify(preview.config.config, null, 2)}\n`);
        // Self-check: the pruned model passes the validation every reader applies, or nothing is committed.
        await (await openModelDir(tempDir)).close();
        // The old provenance is embedded in the new one; the card is rewritten.
        const copied = await copyModelFiles(model, tempDir, { exclude: [PROVENANCE_FILE, MODEL_CARD_NAME] });
        const tool = toolVersion();
        const card = renderDerivedModelCard({
          base: model.dir,
          kind: 'pruned',
          details: pruneCardDetails(preview.plan, preview.parameters, PROVENANCE_FILE),
          toolName: '@layerprune/surgery',
          toolVersion: tool,
          sourceCard: await readModelCard(model),
        });
        await writeFile(join(tempDir, MODEL_CARD_NAME), card);
        const warnings = [...preview.plan.warnings];
        for (const s of copied.skipped) warnings.push(`not copied: ${s.file} (${s.reason})`);
        const provenance = buildProvenance({
          version: tool,
          createdAt: options.now?.() ?? new Date(),
          sourcePath: model.dir,
          modelType: model.config.modelType,
          sourceWeights,
          sourceProvenance: await readJsonOrNull(join(model.dir, PROVENANCE_FILE)),
          plan: preview.plan,
          configChanges: preview.config.changes,
          parameters: preview.parameters,
          outputWeights: weights.files,
          warnings,
        });
        await writeFile(join(tempDir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
        const names = [...weights.files.map((f) => f.file), 'config.json', ...copied.copied, MODEL_CARD_NAME, PROVENANCE_FILE];
        const files = await Promise.all(names.map(async (file) => ({ file, bytes: (await stat(join(tempDir, file))).size })));
        return { files, copied, warnings };
      });
      const { files, copied, warnings } = written.result;
      const { mapping: _mapping, ...rest } = preview;
      return {
        ...rest,
        outDir: written.dir,
        files: files.sort((a, b) => a.file.localeCompare(b.file)),
        sourceWeights,
        copiedFiles: copied.copied,
        skippedFiles: copied.skipped,
        warnings,
        removedTempDirs: written.removedTemps,
        provenanceFile: join(written.dir, PROVENANCE_FILE),
      };
    } catch (error) {
      // Typed errors (SurgeryError, OutputError, TensorIoError, ENOSPC...) keep their code.
      if (typeof (error as { code?: unknown }).code === 'string') throw error;
      throw new SurgeryError('WRITE_FAILED', `writing ${options.out} failed: ${(error as Error).message}`, {
        file: options.out,
        cause: error,
      });
    }
  } finally {
    await model.close();
  }
}
