// The options of evaluateTasks, checked before any file is read: a batch of 0
// or 1.5, a NaN limit or a context window longer than the model's positions
// would otherwise be clamped, ignored or crash deep inside the scorer (a window
// past max_position_embeddings reads RoPE tables out of bounds).
import { EvalError } from './eval-error.js';
import type { EvaluateOptions } from './evaluate-tasks.js';

/** Seeds feed a 32-bit generator (mulberry32): a larger one would alias a smaller one. */
const MAX_SEED = 2 ** 32 - 1;
const MMLU_SPLITS = ['test', 'val', 'dev'];
const KNOWN_OPTIONS: readonly string[] = [
  'shots',
  'limit',
  'sample',
  'seed',
  'strict',
  'addBos',
  'batchSize',
  'maxLength',
  'maxLogitsBytes',
  'lossMaxChars',
  'subjects',
  'mmluSplit',
  'includeItems',
  'reference',
  'readLimits',
  'textField',
];

export interface ModelLimits {
  /** The evaluated model's max_position_embeddings. */
  maxPositionEmbeddings: number;
  /** The reference model's, when there is one. */
  referenceMaxPositionEmbeddings?: number;
}

/** Throws EvalError INVALID_OPTION naming the option, its value and the allowed range (`limit`). */
export function checkEvaluateOptions(options: EvaluateOptions, limits: ModelLimits): void {
  const bad = (field: string, message: string, limit?: number | string): never => {
    throw new EvalError('INVALID_OPTION', `${field}: ${message}`, { field, limit });
  };
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) bad(key, `unknown option (known: ${KNOWN_OPTIONS.join(', ')})`);
  }
  const integer = (field: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (value === undefined) return;
    if (!(Number.isSafeInteger(value) && value >= min && value <= max)) {
      bad(field, `must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got ${value}`, max === Number.MAX_SAFE_INTEGER ? min : max);
    }
  };
  integer('shots', options.shots, 0);
  integer('limit', options.limit, 1);
  integer('seed', options.seed, 0, MAX_SEED);
  integer('batchSize', options.batchSize, 1);
  integer('maxLogitsBytes', options.maxLogitsBytes, 1);
  integer('lossMaxChars', options.lossMaxChars, 1);
  // A window needs a context token and a scored token.
  integer('maxLength', options.maxLength, 2);
  if (options.maxLength !== undefined) {
    const positions = Math.min(limits.maxPositionEmbeddings, limits.referenceMaxPositionEmbeddings ?? Infinity);
    if (options.maxLength > positions) {
      const whose = positions === limits.maxPositionEmbeddings ? "the model's" : "the reference model's";
      bad('maxLength', `${options.maxLength} exceeds ${whose} max_position_embeddings ${positions}`, positions);
    }
  }
  if (options.mmluSplit !== undefined && !MMLU_SPLITS.includes(options.mmluSplit)) {
    bad('mmluSplit', `must be one of ${MMLU_SPLITS.join(', ')}, got ${JSON.stringify(options.mmluSplit)}`);
  }
  if (options.textField !== undefined && !(typeof options.textField === 'string' && options.textField.length > 0)) {
    bad('textField', `must be a non-empty column or field name, got ${JSON.stringify(options.textField)}`);
  }
  if (options.subjects !== undefined && !(Array.isArray(options.subjects) && options.subjects.every((s) => typeof s === 'string' && s.length > 0))) {
    bad('subjects', 'must be a list of subject names');
  }
}
