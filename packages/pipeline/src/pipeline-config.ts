// The options of `layerprune run` as validated data. A pipeline file (JSON or
// YAML) holds the same fields; command-line options override it field by field.
import { checkPipelineInput } from './check-pipeline-input.js';
import type { EngineDevice, EngineName } from './engine/engine-factories.js';
import { trainerConflict } from './engine/trainer-factories.js';
import { PipelineError } from './pipeline-error.js';
import { SECTION_FIELDS, SECTION_NAMES, TOP_LEVEL_FIELDS } from './pipeline-fields.js';

export type PruneMethod = 'similarity' | 'deepest';
export { PRUNE_METHODS } from './pipeline-fields.js';

export interface PipelineConfig {
  /** Model directory; default: the bundled stories260K. */
  model: string;
  /** Calibration and healing corpus; default: the bundled TinyStories calibration file. */
  data: string;
  out: string;
  /** Evaluation tasks as "<kind>:<path>" (see @layerprune/eval). */
  eval: string[];
  /** Fractions of the blocks to drop, each in (0, 1). */
  fractions: number[];
  methods: PruneMethod[];
  seed: number;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** Engine of analysis and evaluation: auto (onnx when installed and the model is supported, else tfjs), onnx or tfjs. */
  engine: EngineName;
  /** Intra-op threads of the onnx engine; null: all cores. */
  threads: number | null;
  /** Device of the onnx engine. */
  device: EngineDevice;
  /** Longest line or document the data reader accepts, in bytes (a longer one is an error naming file and line). */
  maxDocumentBytes: number;
  /** Invalid UTF-8 in data: an error naming file and line, or replaced by U+FFFD. */
  encodingErrors: 'error' | 'replace';
  /** JSON Lines field or Parquet column of `data` holding the text (analysis and healing); default "text". */
  textField: string;
  /** seqLen null: min(256, the model's max_position_embeddings); a number above the model's is an error. */
  analysis: { samples: number; seqLen: number | null; batch: number; metric: string };
  evaluation: { shots: number; limit: number | null; batch: number; lossChars: number | null };
  heal: {
    steps: number;
    batch: number;
    microBatch: number;
    /** null: min(128, the model's max_position_embeddings); a number above the model's is an error. */
    seqLen: number | null;
    lr: number;
    warmup: number;
    rank: number;
    alpha: number;
    dropout: number;
    targets: string;
    bits: 4 | 16 | 32;
    saveEvery: number;
    /**
     * The onnx trainer keeps each block's activations for its backward instead of recomputing
     * them: faster, more memory, the same training to rounding (so no stage key holds it). 'auto'
     * (default): kept when they fit in a quarter of the machine's memory. `true` is refused with an
     * engine that cannot be onnx (`engine: tfjs`, or a TensorFlow.js `backend` with `auto`).
     */
    keepActivations: boolean | 'auto';
  };
}

/** A partial config: what a file or the command line sets. */
export type PipelineConfigInput = Partial<Omit<PipelineConfig, 'analysis' | 'evaluation' | 'heal'>> & {
  analysis?: Partial<PipelineConfig['analysis']>;
  evaluation?: Partial<PipelineConfig['evaluation']>;
  heal?: Partial<PipelineConfig['heal']>;
};

/** Later inputs override earlier ones, field by field (nested sections merged). */
export function mergeConfigInputs(...inputs: PipelineConfigInput[]): PipelineConfigInput {
  const out: PipelineConfigInput = {};
  for (const input of inputs) {
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      if (key === 'analysis' || key === 'evaluation' || key === 'heal') {
        const section = Object.fromEntries(Object.entries(value as object).filter(([, v]) => v !== undefined));
        (out as Record<string, unknown>)[key] = { ...((out as Record<string, object>)[key] ?? {}), ...section };
      } else {
        (out as Record<string, unknown>)[key] = value;
      }
    }
  }
  return out;
}

/** Validates a complete config (defaults already merged in); `file` names the pipeline file in errors. */
export function validatePipelineConfig(input: PipelineConfigInput, file?: string): PipelineConfig {
  checkPipelineInput(input, { file });
  const missing = (field: string): never => {
    throw new PipelineError('CONFIG_INVALID', `${file ? `${file}: ` : ''}${field}: is missing`, { field, file });
  };
  const required = <T>(field: string, value: T | undefined): T => (value === undefined ? missing(field) : value);
  for (const [key, rule] of Object.entries(TOP_LEVEL_FIELDS)) {
    if (key !== 'eval' && !(rule.kind === 'int' && rule.nullable)) required(key, (input as Record<string, unknown>)[key]);
  }
  const sections = { analysis: input.analysis ?? {}, evaluation: input.evaluation ?? {}, heal: input.heal ?? {} };
  for (const section of SECTION_NAMES) {
    for (const [field, rule] of Object.entries(SECTION_FIELDS[section])) {
      const value = (sections[section] as Record<string, unknown>)[field];
      if (value === undefined && !(rule.kind === 'int' && rule.nullable)) missing(`${section}.${field}`);
    }
  }
  const { analysis: a, evaluation: e, heal: h } = sections as PipelineConfig;
  const engine = { backend: input.backend, threads: input.threads ?? null, device: input.device as PipelineConfig['device'] };
  // `engine: tfjs` with `device: cuda` or with `heal.keepActivations`, ...: one of the two would be ignored, so the file is refused now.
  const conflict = trainerConflict(input.engine as PipelineConfig['engine'], { ...engine, keepActivations: h.keepActivations, names: { keepActivations: 'heal.keepActivations' } });
  if (conflict !== null) {
    const field = conflict.field === 'keepActivations' ? 'heal.keepActivations' : conflict.field;
    throw new PipelineError('CONFIG_INVALID', `${file ? `${file}: ` : ''}${field}: ${conflict.message}`, { field, file });
  }
  const fractions = input.fractions as number[];
  return {
    model: input.model as string,
    data: input.data as string,
    out: input.out as string,
    eval: [...(input.eval ?? [])],
    // Order and repeats do not change what is built: sorted, each once.
    fractions: [...new Set(fractions)].sort((x, y) => x - y),
    methods: [...new Set(input.methods as PruneMethod[])],
    seed: input.seed as number,
    backend: input.backend as PipelineConfig['backend'],
    engine: input.engine as PipelineConfig['engine'],
    threads: engine.threads,
    device: engine.device,
    maxDocumentBytes: input.maxDocumentBytes as number,
    encodingErrors: input.encodingErrors as PipelineConfig['encodingErrors'],
    textField: input.textField as string,
    analysis: { samples: a.samples, seqLen: a.seqLen ?? null, batch: a.batch, metric: a.metric },
    evaluation: { shots: e.shots, limit: e.limit ?? null, batch: e.batch, lossChars: e.lossChars ?? null },
    heal: {
      steps: h.steps,
      batch: h.batch,
      microBatch: h.microBatch,
      seqLen: h.seqLen ?? null,
      lr: h.lr,
      warmup: h.warmup,
      rank: h.rank,
      alpha: h.alpha,
      dropout: h.dropout,
      targets: h.targets,
      bits: h.bits,
      saveEvery: h.saveEvery,
      keepActivations: h.keepActivations,
    },
  };
}
