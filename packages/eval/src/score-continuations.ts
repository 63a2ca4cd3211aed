// Log-likelihood of continuations given contexts (the harness's
// `_loglikelihood_tokens`), batched. Requests whose model input is identical are
// run once: with one-token continuations (MMLU's " A".." D", BoolQ's " yes"/" no")
// all choices of a question share the context's single forward pass and only
// the last position's logits are read. Longer continuations need logits at every
// position; their batches are capped by a byte budget because [B, T, V] float32
// logits grow fast with a 32k vocabulary.
import { EvalError } from './eval-error.js';
import { argmaxRow, logSumExp } from './log-softmax.js';
import type { EvalModel } from './model-interface.js';

export interface ContinuationRequest {
  context: readonly number[];
  continuation: readonly number[];
}

export interface ContinuationScore {
  /** Sum of log p(continuation token | everything before it), natural log. */
  logLikelihood: number;
  /** Every continuation token is the argmax of its distribution. */
  isGreedy: boolean;
}

export interface ScoreOptions {
  /** Context window; longer inputs are cut from the left like the harness. Default: the model's max_position_embeddings. */
  maxLength?: number;
  /** Sequences per forward pass. Default 8. */
  batchSize?: number;
  /** Cap on the logits of one forward pass when every position is needed. Default 256 MiB. */
  maxLogitsBytes?: number;
  /** Called after every forward pass with the number of requests finished so far. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_BATCH_SIZE = 8;
export const DEFAULT_MAX_LOGITS_BYTES = 256 * 1024 * 1024;

interface InputGroup {
  input: number[];
  members: number[];
  lastOnly: boolean;
}

export async function scoreContinuations(
  model: EvalModel,
  requests: readonly ContinuationRequest[],
  options: ScoreOptions = {},
): Promise<ContinuationScore[]> {
  const maxLength = options.maxLength ?? model.config.maxPositionEmbeddings;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const maxLogitsBytes = options.maxLogitsBytes ?? DEFAULT_MAX_LOGITS_BYTES;
  const groups = groupByInput(requests, maxLength);
  const results: ContinuationScore[] = new Array(requests.length);
  let done = 0;

  const lastGroups = groups.filter((g) => g.lastOnly);
  const allGroups = groups.filter((g) => !g.lastOnly);
  for (let start = 0; start < lastGroups.length; start += batchSize) {
    const chunk = lastGroups.slice(start, start + batchSize);
    const out = await model.forward(chunk.map((g) => g.input), { logits: 'last' });
    const vocab = checkLogits(out.logits, out.vocabSize, chunk.length, 1, 'last');
    chunk.forEach((group, b) => {
      const offset = b * vocab;
      const logZ = logSumExp(out.logits!, offset, vocab);
      const best = argmaxRow(out.logits!, offset, vocab);
      for (const m of group.members) {
        const target = requests[m].continuation[0];
        results[m] = { logLikelihood: out.logits![offset + target] - logZ, isGreedy: best === target };
      }
      done += group.members.length;
    });
    options.onProgress?.(done, requests.length);
  }

  let start = 0;
  while (start < allGroups.length) {
    // Groups are sorted longest first, so the first one sets the padded length of the batch.
    const bytesPerSequence = allGroups[start].input.length * model.config.vocabSize * 4;
    const fit = Math.max(1, Math.min(batchSize, Math.floor(maxLogitsBytes / Math.max(1, bytesPerSequence))));
    const chunk = allGroups.slice(start, start + fit);
    start += chunk.length;
    const out = await model.forward(chunk.map((g) => g.input), { logits: 'all' });
    const vocab = checkLogits(out.logits, out.vocabSize, chunk.length, out.maxLength, 'all');
    chunk.forEach((group, b) => {
      for (const m of group.members) {
        const continuation = requests[m].continuation;
        let sum = 0;
        let greedy = true;
        for (let j = 0; j < continuation.length; j += 1) {
          // The logits at input position p predict input token p + 1.
          const position = group.input.length - continuation.length + j;
          const offset = (b * out.maxLength + position) * vocab;
          const target = continuation[j];
          sum += out.logits![offset + target] - logSumExp(out.logits!, offset, vocab);
          if (greedy && argmaxRow(out.logits!, offset, vocab) !== target) greedy = false;
        }
        results[m] = { logLikelihood: sum, isGreedy: greedy };
      }
      done += group.members.length;
    });
    options.onProgress?.(done, requests.length);
  }
  return results;
}

function groupByInput(requests: readonly ContinuationRequest[], maxLength: number): InputGroup[] {
  const byKey = new Map<string, InputGroup>();
  requests.forEach((request, index) => {
    const { context, continuation } = request;
    if (continuation.length === 0) {
      throw new EvalError('CONTINUATION_EMPTY', `request ${index}: the continuation encodes to no tokens`, { field: 'continuation' });
    }
    if (context.length === 0) {
      throw new EvalError('CONTINUATION_EMPTY', `request ${index}: the context encodes to no tokens (needs at least a BOS)`, {
        field: 'context',
      });
    }
    if (continuation.length > maxLength) {
      throw new EvalError(
        'CONTINUATION_TOO_LONG',
        `request ${index}: continuation of ${continuation.length} tokens exceeds the model's max length ${maxLength}`,
        { field: 'continuation', limit: maxLength },
      );
    }
    // Like the harness: keep the last maxLength + 1 tokens of context + continuation
    // and feed all but the last one.
    const whole = [...context, ...continuation];
    const kept = whole.length > maxLength + 1 ? whole.slice(whole.length - (maxLength + 1)) : whole;
    const input = kept.slice(0, -1);
    const key = input.join(',');
    let group = byKey.get(key);
    if (!group) {
      group = { input, members: [], lastOnly: true };
      byKey.set(key, group);
    }
    group.members.push(index);
    if (continuation.length > 1) group.lastOnly = false;
  });
  return [...byKey.values()].sort((a, b) => b.input.length - a.input.length);
}

function checkLogits(
  logits: Float32Array | undefined,
  vocabSize: number,
  batch: number,
  positions: number,
  mode: 'last' | 'all',
): number {
  const expected = batch * positions * vocabSize;
  if (!logits || logits.length !== expected) {
    throw new EvalError(
      'MODEL_OUTPUT_INVALID',
      `model.forward(logits: '${mode}') returned ${logits ? logits.length : 'no'} logits, expected ${batch} x ${positions} x ${vocabSize} = ${expected}`,
      { field: 'logits', limit: expected },
    );
  }
  return vocabSize;
}
