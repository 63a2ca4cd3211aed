// Multiple choice by log-likelihood (the harness's `output_type:
// multiple_choice`): every choice is a continuation `target_delimiter + choice`
// of the same context; `acc` takes the argmax of the summed log-likelihoods,
// `acc_norm` the argmax after dividing by the choice's length in UTF-8 bytes
// (the delimiter is not counted, as in the harness, which divides by len(choice)).
import { encodePair } from './encode-pair.js';
import type { EvalModel, EvalTokenizer } from './model-interface.js';
import { scoreContinuations, type ContinuationRequest, type ScoreOptions } from './score-continuations.js';

export interface McItem {
  /** Stable identifier, e.g. "file.csv:12". */
  id: string;
  context: string;
  /** Choice texts without the leading delimiter. */
  choices: string[];
  gold: number;
  /** Sub-task (the MMLU subject) for grouped averages. */
  group?: string;
}

export interface McItemResult {
  id: string;
  group?: string;
  gold: number;
  logLikelihoods: number[];
  predicted: number;
  predictedNorm: number;
  correct: boolean;
  correctNorm: boolean;
}

export interface McSummary {
  items: number;
  acc: number;
  accNorm: number;
  /** Standard error of acc over items, sqrt(acc (1 - acc) / (n - 1)) like the harness. */
  accStderr: number;
  accNormStderr: number;
  /** Expected accuracy of a uniform random guess (mean of 1 / number of choices). */
  chance: number;
}

export interface MultipleChoiceOptions extends ScoreOptions {
  /** Prepend BOS to every context (default true; see encodePair). */
  addBos?: boolean;
  /** Put between context and choice; the harness default is one space. */
  targetDelimiter?: string;
  /** Items tokenised and scored together; bounds memory on big tasks. Default 64. */
  itemsPerChunk?: number;
  /** Called with the number of items finished. */
  onItems?: (done: number, total: number) => void;
}

const textEncoder = new TextEncoder();

export async function evaluateMultipleChoice(
  model: EvalModel,
  tokenizer: EvalTokenizer,
  items: readonly McItem[],
  options: MultipleChoiceOptions = {},
): Promise<McItemResult[]> {
  const delimiter = options.targetDelimiter ?? ' ';
  const perChunk = Math.max(1, options.itemsPerChunk ?? 64);
  const results: McItemResult[] = [];
  for (let start = 0; start < items.length; start += perChunk) {
    const chunk = items.slice(start, start + perChunk);
    const requests: ContinuationRequest[] = [];
    for (const item of chunk) {
      for (const choice of item.choices) {
        requests.push(encodePair(tokenizer, item.context, delimiter + choice, { addBos: options.addBos }));
      }
    }
    // Forward passes report requests; turn them into whole items for the caller.
    const onProgress = (done: number, total: number): void =>
      options.onItems?.(start + Math.floor((chunk.length * done) / total), items.length);
    const scores = await scoreContinuations(model, requests, { ...options, onProgress });
    let r = 0;
    for (const item of chunk) {
      const lls = item.choices.map(() => scores[r++].logLikelihood);
      results.push(judgeItem(item, lls));
    }
    options.onItems?.(Math.min(items.length, start + chunk.length), items.length);
  }
  return results;
}

/** acc / acc_norm decisions for one item from its choices' log-likelihoods. */
export function judgeItem(item: McItem, logLikelihoods: number[]): McItemResult {
  const predicted = argmax(logLikelihoods);
  const normalized = logLikelihoods.map((ll, i) => ll / textEncoder.encode(item.choices[i]).length);
  const predictedNorm = argmax(normalized);
  return {
    id: item.id,
    ...(item.group === undefined ? {} : { group: item.group }),
    gold: item.gold,
    logLikelihoods,
    predicted,
    predictedNorm,
    correct: predicted === item.gold,
    correctNorm: predictedNorm === item.gold,
  };
}

/** Mean accuracy over items, with the harness's standard error. */
export function summarizeMultipleChoice(results: readonly McItemResult[], choiceCounts: readonly number[]): McSummary {
  const n = results.length;
  const acc = n > 0 ? results.filter((r) => r.correct).length / n : Number.NaN;
  const accNorm = n > 0 ? results.filter((r) => r.correctNorm).length / n : Number.NaN;
  const stderr = (p: number): number => (n > 1 ? Math.sqrt((p * (1 - p)) / (n - 1)) : Number.NaN);
  const chance = n > 0 ? choiceCounts.reduce((s, k) => s + 1 / k, 0) / n : Number.NaN;
  return { items: n, acc, accNorm, accStderr: stderr(acc), accNormStderr: stderr(accNorm), chance };
}

/** First index of the maximum (numpy argmax semantics). */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}
