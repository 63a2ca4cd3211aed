// Every field a pipeline file may set, with its type and range: the one table
// that checkPipelineInput (files, command-line layers) and validatePipelineConfig
// (the merged config) read, so a field cannot be known to one and not the other.
import { SIMILARITY_METRIC_NAMES } from '@layerprune/similarity';
import { ENGINE_DEVICES, ENGINE_NAMES, MAX_ENGINE_THREADS } from './engine/engine-factories.js';
import type { PruneMethod } from './pipeline-config.js';

export const PRUNE_METHODS: readonly PruneMethod[] = ['similarity', 'deepest'];
export const PIPELINE_BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type FieldRule =
  /** An integer in [min, max]; with `nullable`, null (or absence after merging) means "the default". */
  | { kind: 'int'; min: number; max: number; nullable?: boolean }
  | { kind: 'number'; min: number; max: number; minExclusive?: boolean }
  | { kind: 'string' }
  | { kind: 'boolean' }
  /** true, false or 'auto' (decided at run time). */
  | { kind: 'boolean-or-auto' }
  | { kind: 'choice'; values: readonly (string | number)[] }
  /** A non-empty list of numbers, each in the open interval (0, 1). */
  | { kind: 'fractions' }
  | { kind: 'strings' }
  | { kind: 'choices'; values: readonly string[] }
  /** LoRA target modules: mlp | all-linear | attention | a comma list of linear layers. */
  | { kind: 'targets' };

export const SECTION_NAMES = ['analysis', 'evaluation', 'heal'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export const TOP_LEVEL_FIELDS: Readonly<Record<string, FieldRule>> = {
  model: { kind: 'string' },
  data: { kind: 'string' },
  out: { kind: 'string' },
  eval: { kind: 'strings' },
  fractions: { kind: 'fractions' },
  methods: { kind: 'choices', values: PRUNE_METHODS },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  backend: { kind: 'choice', values: PIPELINE_BACKENDS },
  // The engine analysis, evaluation and healing run on (auto: onnx, else tfjs).
  engine: { kind: 'choice', values: ENGINE_NAMES },
  // onnx engine only; null: all cores.
  threads: { kind: 'int', min: 1, max: MAX_ENGINE_THREADS, nullable: true },
  device: { kind: 'choice', values: ENGINE_DEVICES },
  // Limits of the data reader (@layerprune/data) for calibration, training and evaluation files.
  maxDocumentBytes: { kind: 'int', min: 1, max: 2 ** 50 },
  encodingErrors: { kind: 'choice', values: ['error', 'replace'] },
  // JSON Lines field or Parquet column of `data` holding the text (calibration and healing).
  textField: { kind: 'string' },
};

export const SECTION_FIELDS: Readonly<Record<SectionName, Readonly<Record<string, FieldRule>>>> = {
  analysis: {
    samples: { kind: 'int', min: 1, max: 1_000_000 },
    // null: min(256, the model's max_position_embeddings); a number above the model's is an error.
    seqLen: { kind: 'int', min: 2, max: 1_000_000, nullable: true },
    batch: { kind: 'int', min: 1, max: 4096 },
    metric: { kind: 'choice', values: SIMILARITY_METRIC_NAMES },
  },
  evaluation: {
    shots: { kind: 'int', min: 0, max: 25 },
    limit: { kind: 'int', min: 1, max: 10_000_000, nullable: true },
    batch: { kind: 'int', min: 1, max: 4096 },
    lossChars: { kind: 'int', min: 1, max: 2 ** 31 - 1, nullable: true },
  },
  heal: {
    steps: { kind: 'int', min: 0, max: 10_000_000 },
    batch: { kind: 'int', min: 1, max: 65_536 },
    microBatch: { kind: 'int', min: 1, max: 65_536 },
    // null: min(128, the model's max_position_embeddings).
    seqLen: { kind: 'int', min: 2, max: 1_000_000, nullable: true },
    lr: { kind: 'number', min: 0, max: 1, minExclusive: true },
    warmup: { kind: 'int', min: 0, max: 10_000_000 },
    rank: { kind: 'int', min: 1, max: 4096 },
    alpha: { kind: 'number', min: 1e-6, max: 1e6 },
    dropout: { kind: 'number', min: 0, max: 0.99 },
    targets: { kind: 'targets' },
    bits: { kind: 'choice', values: [4, 16, 32] },
    saveEvery: { kind: 'int', min: 1, max: 10_000_000 },
    // The onnx trainer keeps each block's activations for its backward instead of recomputing
    // them: faster, more memory, the same training to rounding. No stage key holds it (see run-pipeline.ts).
    keepActivations: { kind: 'boolean-or-auto' },
  },
};
