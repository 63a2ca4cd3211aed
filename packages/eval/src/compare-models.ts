// Agreement between two models on the same text (a pruned model against its
// original): at every predicted position of the loss windows, whether both pick
// the same greedy next token, and KL(reference || candidate) between their
// next-token distributions. Both models' losses on the same windows come out of
// the same forward passes.
import { EvalError } from './eval-error.js';
import { argmaxRow, logSumExp } from './log-softmax.js';
import { countWords, encodeDocumentWindows, summarizeLoss, type LanguageModelLoss } from './language-model-loss.js';
import type { EvalForwardResult, EvalModel, EvalTokenizer } from './model-interface.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_LOGITS_BYTES, type ScoreOptions } from './score-continuations.js';

export interface ModelAgreement {
  /** Positions compared (= tokens predicted). */
  positions: number;
  /** Share of positions where both models' argmax tokens are equal. */
  top1Agreement: number;
  /** Mean over positions of KL(reference || candidate), in nats. */
  meanKl: number;
  /** Largest KL at any position, in nats. */
  maxKl: number;
}

export interface ModelComparison {
  agreement: ModelAgreement;
  reference: LanguageModelLoss;
  candidate: LanguageModelLoss;
}

export async function compareModels(
  reference: EvalModel,
  candidate: EvalModel,
  tokenizer: EvalTokenizer,
  documents: readonly string[],
  options: ScoreOptions = {},
): Promise<ModelComparison> {
  const vocab = reference.config.vocabSize;
  if (candidate.config.vocabSize !== vocab) {
    throw new EvalError('VOCAB_MISMATCH', `the models have different vocabularies (${vocab} vs ${candidate.config.vocabSize} tokens)`, {
      field: 'vocab_size',
      limit: vocab,
    });
  }
  const maxLength =
    options.maxLength ?? Math.min(reference.config.maxPositionEmbeddings, candidate.config.maxPositionEmbeddings);
  const { requests, owner, tokens } = encodeDocumentWindows(tokenizer, documents, maxLength);
  const refNll = new Float64Array(documents.length);
  const candNll = new Float64Array(documents.length);
  let positions = 0;
  let agree = 0;
  let klSum = 0;
  let klMax = 0;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const budget = options.maxLogitsBytes ?? DEFAULT_MAX_LOGITS_BYTES;

  let start = 0;
  while (start < requests.length) {
    const longest = requests[start].context.length + requests[start].continuation.length;
    const fit = Math.max(1, Math.min(batchSize, Math.floor(budget / (2 * longest * vocab * 4))));
    const chunk = requests.slice(start, start + fit);
    const inputs = chunk.map((r) => [...r.context, ...r.continuation].slice(-(maxLength + 1), -1));
    const refOut = await reference.forward(inputs, { logits: 'all' });
    const candOut = await candidate.forward(inputs, { logits: 'all' });
    checkAll(refOut, inputs.length, vocab);
    checkAll(candOut, inputs.length, vocab);
    chunk.forEach((request, b) => {
      const { continuation } = request;
      for (let j = 0; j < continuation.length; j += 1) {
        const position = inputs[b].length - continuation.length + j;
        const refOffset = (b * refOut.maxLength + position) * vocab;
        const candOffset = (b * candOut.maxLength + position) * vocab;
        const refZ = logSumExp(refOut.logits!, refOffset, vocab);
        const candZ = logSumExp(candOut.logits!, candOffset, vocab);
        const target = continuation[j];
        refNll[owner[start + b]] -= refOut.logits![refOffset + target] - refZ;
        candNll[owner[start + b]] -= candOut.logits![candOffset + target] - candZ;
        let kl = 0;
        for (let v = 0; v < vocab; v += 1) {
          const logP = refOut.logits![refOffset + v] - refZ;
          const logQ = candOut.logits![candOffset + v] - candZ;
          kl += Math.exp(logP) * (logP - logQ);
        }
        klSum += kl;
        if (kl > klMax) klMax = kl;
        if (argmaxRow(refOut.logits!, refOffset, vocab) === argmaxRow(candOut.logits!, candOffset, vocab)) agree += 1;
        positions += 1;
      }
    });
    options.onProgress?.(start + chunk.length, requests.length);
    start += chunk.length;
  }
  const words = countWords(documents);
  const bytes = documents.map((d) => new TextEncoder().encode(d).length);
  const perDoc = (nll: Float64Array) => documents.map((_, d) => ({ tokens: tokens[d], bytes: bytes[d], nll: nll[d] }));
  return {
    agreement: {
      positions,
      top1Agreement: positions > 0 ? agree / positions : Number.NaN,
      meanKl: positions > 0 ? klSum / positions : Number.NaN,
      maxKl: klMax,
    },
    reference: summarizeLoss(perDoc(refNll), words, vocab),
    candidate: summarizeLoss(perDoc(candNll), words, vocab),
  };
}

function checkAll(out: EvalForwardResult, batch: number, vocab: number): void {
  const expected = batch * out.maxLength * vocab;
  if (!out.logits || out.logits.length !== expected || out.vocabSize !== vocab) {
    throw new EvalError(
      'MODEL_OUTPUT_INVALID',
      `model.forward(logits: 'all') returned ${out.logits?.length ?? 'no'} logits, expected ${batch} x ${out.maxLength} x ${vocab} = ${expected}`,
      { field: 'logits', limit: expected },
    );
  }
}
