// Defaults of `layerprune run`: the bundled model and data, sized so that the
// whole experiment on stories260K finishes in a few minutes on 2 CPU cores.
// For a real model, raise samples, heal steps and the evaluation limit (see the README).
import { defaultCalibrationFile, defaultHeldoutFile, defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '@layerprune/data';
import type { PipelineConfigInput } from './pipeline-config.js';

/** Tokens per calibration sequence when the config leaves analysis.seqLen out (or null), at most the model's positions. */
export const DEFAULT_ANALYSIS_SEQ_LEN = 256;
/** Tokens per training sequence when heal.seqLen is left out (or null), at most the model's positions. */
export const DEFAULT_HEAL_SEQ_LEN = 128;

export function defaultPipelineConfig(): PipelineConfigInput {
  return {
    model: defaultModelDir(),
    data: defaultCalibrationFile(),
    out: 'layerprune-run',
    eval: [`loss:${defaultHeldoutFile()}`, `mmlu:${defaultMmluDir()}`],
    fractions: [0.2, 0.4, 0.6],
    methods: ['similarity', 'deepest'],
    seed: 1234,
    backend: 'auto',
    engine: 'auto',
    // null: all cores.
    threads: null,
    device: 'cpu',
    maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
    encodingErrors: 'error',
    textField: 'text',
    // seqLen null: DEFAULT_ANALYSIS_SEQ_LEN / DEFAULT_HEAL_SEQ_LEN, or the model's
    // max_position_embeddings if that is smaller (see resolveSeqLen).
    analysis: { samples: 200, seqLen: null, batch: 8, metric: 'angular' },
    evaluation: { shots: 5, limit: 1, batch: 8, lossChars: 20_000 },
    heal: {
      steps: 40,
      batch: 8,
      microBatch: 8,
      seqLen: null,
      lr: 1e-3,
      warmup: 4,
      rank: 8,
      alpha: 8,
      dropout: 0.05,
      targets: 'mlp',
      bits: 4,
      saveEvery: 10,
      // Onnx trainer only: recompute each block's forward in its backward (less memory).
      keepActivations: 'auto',
    },
  };
}
