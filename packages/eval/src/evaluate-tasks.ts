// The one entry point that `layerprune eval` and the `run` pipeline share: read
// each task, score it, and return results together with the configuration that
// produced them, so a JSON result can be reproduced from itself.
import { basename } from 'node:path';
import { checkEvaluateOptions } from './check-evaluate-options.js';
import { compareModels, type ModelAgreement } from './compare-models.js';
import { EvalError } from './eval-error.js';
import { languageModelLoss, type LanguageModelLoss } from './language-model-loss.js';
import { MalformedRowCollector, type MalformedRow } from './malformed-rows.js';
import type { EvalModel, EvalTokenizer } from './model-interface.js';
import {
  evaluateMultipleChoice,
  summarizeMultipleChoice,
  type McItem,
  type McItemResult,
  type McSummary,
} from './multiple-choice.js';
import { readArc } from './read-arc.js';
import { readBoolq } from './read-boolq.js';
import { readHellaswag } from './read-hellaswag.js';
import { readLossDocuments } from './read-loss-documents.js';
import { readMcJsonl } from './read-mc-jsonl.js';
import { loadMmluTask, type MmluSplit } from './read-mmlu.js';
import type { TaskReadOptions } from './read-text-lines.js';
import { DEFAULT_BATCH_SIZE } from './score-continuations.js';
import { DEFAULT_SEED, selectItems } from './select-items.js';
import type { TaskKind, TaskSpec } from './task-spec.js';

export interface EvaluateOptions {
  /** MMLU shots from the dev split. Default 5 (the paper's setting). */
  shots?: number;
  /** At most N items per task (per subject for MMLU, documents for loss). */
  limit?: number;
  /** Draw the limited items at random with `seed` instead of taking the first N. */
  sample?: boolean;
  /** Default 1234. */
  seed?: number;
  /** Stop at the first malformed row instead of skipping it. */
  strict?: boolean;
  /** BOS before every multiple-choice context. Default true (harness >= 0.4.10 with Llama tokenizers). */
  addBos?: boolean;
  /** Sequences per forward pass. Default 8. */
  batchSize?: number;
  /** Context window. Default: the model's max_position_embeddings. */
  maxLength?: number;
  maxLogitsBytes?: number;
  /**
   * Loss tasks score only the first N characters of their text (documents in order,
   * the last one cut), so bytes, words and tokens stay consistent. Default: all.
   */
  lossMaxChars?: number;
  /** MMLU subjects to keep (file-name form). */
  subjects?: string[];
  /** MMLU split. Default 'test'. */
  mmluSplit?: MmluSplit;
  /** Per-item results (log-likelihoods, predictions) in the report. Default false. */
  includeItems?: boolean;
  /** A second model (e.g. the unpruned original): loss tasks also report its loss and the agreement. */
  reference?: EvalModel;
  /** How task files are read (@layerprune/data): longest line/document, gzip expansion, invalid UTF-8. */
  readLimits?: TaskReadOptions;
  /** Loss tasks: the JSON Lines field, or Parquet column, holding the text. Default "text". */
  textField?: string;
}

export interface EvalProgress {
  task: string;
  done: number;
  total: number;
  unit: 'items' | 'windows';
}

export interface LossTaskResult {
  task: 'loss';
  name: string;
  path: string;
  seconds: number;
  loss: Omit<LanguageModelLoss, 'perDocument'>;
  /** With a reference model: its loss on the same windows and the agreement. */
  reference?: Omit<LanguageModelLoss, 'perDocument'>;
  agreement?: ModelAgreement;
}

export interface McTaskResult extends McSummary {
  task: Exclude<TaskKind, 'loss'>;
  name: string;
  path: string;
  seconds: number;
  itemsPerSecond: number;
  /** MMLU: mean over subjects of the per-subject accuracies (the mean over questions is `acc`). */
  accSubjectMean?: number;
  accNormSubjectMean?: number;
  subjects?: { subject: string; items: number; shots: number; acc: number; accNorm: number }[];
  perItem?: McItemResult[];
}

export type TaskResult = LossTaskResult | McTaskResult;

export interface EvalReport {
  config: Required<Omit<EvaluateOptions, 'reference' | 'subjects' | 'limit' | 'maxLogitsBytes' | 'lossMaxChars' | 'readLimits'>> & {
    lossMaxChars: number | null;
    limit: number | null;
    subjects: string[] | null;
    tasks: TaskSpec[];
    compare: boolean;
    conventions: string;
  };
  results: TaskResult[];
  malformed: MalformedRow[];
}

/** The documents cut to their first `maxChars` characters in total (code points are not split). */
export function firstCharacters(documents: string[], maxChars: number | undefined): string[] {
  if (maxChars === undefined) return documents;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new EvalError('INVALID_OPTION', `lossMaxChars must be a positive integer, got ${maxChars}`, { field: 'lossMaxChars' });
  }
  const out: string[] = [];
  let left = maxChars;
  for (const text of documents) {
    if (left <= 0) break;
    const chars = Array.from(text);
    out.push(chars.length <= left ? text : chars.slice(0, left).join(''));
    left -= chars.length;
  }
  return out;
}

export const HARNESS_CONVENTIONS =
  'lm-evaluation-harness: loglikelihood_rolling windows (first conditioned on BOS); _encode_pair split; acc = argmax sum log p, acc_norm = argmax sum log p / UTF-8 bytes of the choice';

export async function evaluateTasks(
  model: EvalModel,
  tokenizer: EvalTokenizer,
  tasks: readonly TaskSpec[],
  options: EvaluateOptions = {},
  onProgress?: (progress: EvalProgress) => void,
): Promise<EvalReport> {
  if (tasks.length === 0) throw new EvalError('EMPTY_TASK', 'no task to evaluate', { field: 'tasks' });
  checkEvaluateOptions(options, {
    maxPositionEmbeddings: model.config.maxPositionEmbeddings,
    referenceMaxPositionEmbeddings: options.reference?.config.maxPositionEmbeddings,
  });
  const collector = new MalformedRowCollector(options.strict ?? false);
  const maxLength = options.maxLength ?? model.config.maxPositionEmbeddings;
  const score = { maxLength, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, maxLogitsBytes: options.maxLogitsBytes };
  const select = { limit: options.limit, sample: options.sample ?? false, seed: options.seed ?? DEFAULT_SEED };
  const results: TaskResult[] = [];

  for (const spec of tasks) {
    const name = spec.name ?? `${spec.kind}:${basename(spec.path)}`;
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    if (spec.kind === 'loss') {
      const documents = firstCharacters(
        selectItems(await readLossDocuments(spec.path, collector, { ...options.readLimits, field: options.textField }), select).map((d) => d.text),
        options.lossMaxChars,
      );
      if (documents.length === 0) throw new EvalError('EMPTY_TASK', `${spec.path}: no document to evaluate`, { file: spec.path });
      const progress = (done: number, total: number): void => onProgress?.({ task: name, done, total, unit: 'windows' });
      if (options.reference) {
        const cmp = await compareModels(options.reference, model, tokenizer, documents, { ...score, onProgress: progress });
        results.push({
          task: 'loss',
          name,
          path: spec.path,
          seconds: seconds(),
          loss: withoutDocuments(cmp.candidate),
          reference: withoutDocuments(cmp.reference),
          agreement: cmp.agreement,
        });
      } else {
        const loss = await languageModelLoss(model, tokenizer, documents, { ...score, onProgress: progress });
        results.push({ task: 'loss', name, path: spec.path, seconds: seconds(), loss: withoutDocuments(loss) });
      }
      continue;
    }

    let items: McItem[];
    let subjects: { subject: string; items: number; shots: number }[] | undefined;
    if (spec.kind === 'mmlu') {
      const mmlu = await loadMmluTask(spec.path, collector, {
        ...select,
        shots: options.shots ?? 5,
        subjects: options.subjects,
        split: options.mmluSplit ?? 'test',
        ...options.readLimits,
      });
      items = mmlu.items;
      subjects = mmlu.subjects;
    } else {
      items = selectItems(await readMcTask(spec.kind, spec.path, collector, options.readLimits), select);
    }
    if (items.length === 0) throw new EvalError('EMPTY_TASK', `${spec.path}: no valid item to evaluate`, { file: spec.path });
    const itemResults = await evaluateMultipleChoice(model, tokenizer, items, {
      ...score,
      addBos: options.addBos ?? true,
      onItems: (done, total) => onProgress?.({ task: name, done, total, unit: 'items' }),
    });
    const elapsed = seconds();
    const result: McTaskResult = {
      task: spec.kind,
      name,
      path: spec.path,
      seconds: elapsed,
      itemsPerSecond: items.length / elapsed,
      ...summarizeMultipleChoice(
        itemResults,
        items.map((i) => i.choices.length),
      ),
    };
    if (subjects) {
      result.subjects = subjects.map((s) => {
        const mine = itemResults.filter((r) => r.group === s.subject);
        const summary = summarizeMultipleChoice(mine, mine.map(() => 4));
        return { ...s, acc: summary.acc, accNorm: summary.accNorm };
      });
      const scored = result.subjects.filter((s) => s.items > 0);
      result.accSubjectMean = scored.reduce((sum, s) => sum + s.acc, 0) / scored.length;
      result.accNormSubjectMean = scored.reduce((sum, s) => sum + s.accNorm, 0) / scored.length;
    }
    if (options.includeItems) result.perItem = itemResults;
    results.push(result);
  }

  return {
    config: {
      tasks: [...tasks],
      shots: options.shots ?? 5,
      limit: options.limit ?? null,
      lossMaxChars: options.lossMaxChars ?? null,
      sample: select.sample,
      seed: select.seed,
      strict: options.strict ?? false,
      addBos: options.addBos ?? true,
      batchSize: score.batchSize,
      maxLength,
      subjects: options.subjects ?? null,
      mmluSplit: options.mmluSplit ?? 'test',
      includeItems: options.includeItems ?? false,
      textField: options.textField ?? 'text',
      compare: options.reference !== undefined,
      conventions: HARNESS_CONVENTIONS,
    },
    results,
    malformed: collector.rows,
  };
}

function readMcTask(kind: Exclude<TaskKind, 'loss' | 'mmlu'>, path: string, collector: MalformedRowCollector, limits: TaskReadOptions = {}): Promise<McItem[]> {
  switch (kind) {
    case 'arc':
      return readArc(path, collector, limits);
    case 'hellaswag':
      return readHellaswag(path, collector, limits);
    case 'boolq':
      return readBoolq(path, collector, limits);
    case 'mc':
      return readMcJsonl(path, collector, limits);
  }
}

function withoutDocuments(loss: LanguageModelLoss): Omit<LanguageModelLoss, 'perDocument'> {
  const { perDocument: _perDocument, ...rest } = loss;
  return rest;
}
