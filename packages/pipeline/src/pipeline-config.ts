// The options of `layerprune run` as validated data. A pipeline file (JSON or
// YAML) holds the same fields; command-line options override it field by field.
import { PipelineError } from './pipeline-error.js';

export type PruneMethod = 'similarity' | 'deepest';
export const PRUNE_METHODS: readonly PruneMethod[] = ['similarity', 'deepest'];

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
  analysis: { samples: number; seqLen: number; batch: number; metric: string };
  evaluation: { shots: number; limit: number | null; batch: number; lossChars: number | null };
  heal: {
    steps: number;
    batch: number;
    microBatch: number;
    seqLen: number;
    lr: number;
    warmup: number;
    rank: number;
    alpha: number;
    dropout: number;
    targets: string;
    bits: 4 | 16 | 32;
    saveEvery: number;
  };
}

/** A partial config: what a file or the command line sets. */
export type PipelineConfigInput = Partial<Omit<PipelineConfig, 'analysis' | 'evaluation' | 'heal'>> & {
  analysis?: Partial<PipelineConfig['analysis']>;
  evaluation?: Partial<PipelineConfig['evaluation']>;
  heal?: Partial<PipelineConfig['heal']>;
};

const TOP_LEVEL_KEYS = ['model', 'data', 'out', 'eval', 'fractions', 'methods', 'seed', 'backend', 'analysis', 'evaluation', 'heal'];

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

function fail(field: string, message: string, file?: string): never {
  throw new PipelineError('CONFIG_INVALID', `${file ? `${file}: ` : ''}${field}: ${message}`, { field, file });
}

function int(field: string, value: unknown, min: number, max: number, file?: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`, file);
  }
  return value;
}

function num(field: string, value: unknown, min: number, max: number, file?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`, file);
  }
  return value;
}

function str(field: string, value: unknown, file?: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, `must be a non-empty string, got ${JSON.stringify(value)}`, file);
  return value;
}

/** Validates a complete config (defaults already merged in); `file` names the pipeline file in errors. */
export function validatePipelineConfig(input: PipelineConfigInput, file?: string): PipelineConfig {
  for (const key of Object.keys(input)) {
    if (!TOP_LEVEL_KEYS.includes(key)) fail(key, `unknown field (known: ${TOP_LEVEL_KEYS.join(', ')})`, file);
  }
  const fractions = input.fractions;
  if (!Array.isArray(fractions) || fractions.length === 0) fail('fractions', 'must be a non-empty list of numbers in (0, 1)', file);
  fractions.forEach((f, i) => {
    if (typeof f !== 'number' || !(f > 0 && f < 1)) fail(`fractions[${i}]`, `must be in (0, 1), got ${JSON.stringify(f)}`, file);
  });
  const methods = input.methods;
  if (!Array.isArray(methods) || methods.length === 0) fail('methods', `must list one or more of ${PRUNE_METHODS.join(', ')}`, file);
  for (const m of methods) if (!PRUNE_METHODS.includes(m)) fail('methods', `unknown method ${JSON.stringify(m)} (known: ${PRUNE_METHODS.join(', ')})`, file);
  const evalTasks = input.eval ?? [];
  if (!Array.isArray(evalTasks)) fail('eval', 'must be a list of "<kind>:<path>" strings', file);
  const a = input.analysis ?? {};
  const e = input.evaluation ?? {};
  const h = input.heal ?? {};
  const bits = h.bits;
  if (bits !== 4 && bits !== 16 && bits !== 32) fail('heal.bits', `must be 4, 16 or 32, got ${JSON.stringify(bits)}`, file);
  const backend = input.backend;
  if (!['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(backend as string)) {
    fail('backend', `must be auto, tensorflow-gpu, tensorflow, wasm or cpu, got ${JSON.stringify(backend)}`, file);
  }
  return {
    model: str('model', input.model, file),
    data: str('data', input.data, file),
    out: str('out', input.out, file),
    eval: evalTasks.map((t, i) => str(`eval[${i}]`, t, file)),
    fractions: [...new Set(fractions)].sort((x, y) => x - y),
    methods: [...new Set(methods)],
    seed: int('seed', input.seed, 0, 2 ** 31 - 1, file),
    backend: backend as PipelineConfig['backend'],
    analysis: {
      samples: int('analysis.samples', a.samples, 1, 1_000_000, file),
      seqLen: int('analysis.seqLen', a.seqLen, 2, 1_000_000, file),
      batch: int('analysis.batch', a.batch, 1, 4096, file),
      metric: str('analysis.metric', a.metric, file),
    },
    evaluation: {
      shots: int('evaluation.shots', e.shots, 0, 25, file),
      limit: e.limit === null || e.limit === undefined ? null : int('evaluation.limit', e.limit, 1, 10_000_000, file),
      batch: int('evaluation.batch', e.batch, 1, 4096, file),
      lossChars: e.lossChars === null || e.lossChars === undefined ? null : int('evaluation.lossChars', e.lossChars, 1, 2 ** 31 - 1, file),
    },
    heal: {
      steps: int('heal.steps', h.steps, 0, 10_000_000, file),
      batch: int('heal.batch', h.batch, 1, 65_536, file),
      microBatch: int('heal.microBatch', h.microBatch, 1, 65_536, file),
      seqLen: int('heal.seqLen', h.seqLen, 2, 1_000_000, file),
      lr: num('heal.lr', h.lr, 0, 1, file),
      warmup: int('heal.warmup', h.warmup, 0, 10_000_000, file),
      rank: int('heal.rank', h.rank, 1, 4096, file),
      alpha: num('heal.alpha', h.alpha, 1e-6, 1e6, file),
      dropout: num('heal.dropout', h.dropout, 0, 0.99, file),
      targets: str('heal.targets', h.targets, file),
      bits,
      saveEvery: int('heal.saveEvery', h.saveEvery, 1, 10_000_000, file),
    },
  };
}
