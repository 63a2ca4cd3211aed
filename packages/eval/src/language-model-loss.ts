// Language-model loss of documents the way lm-evaluation-harness computes
// perplexity (`loglikelihood_rolling`): each document is encoded without special
// tokens, cut into disjoint windows of the model's max length (the first one
// conditioned on BOS) and its token log-likelihoods summed. Metrics are pooled
// over documents (total NLL / total tokens), like the harness's weighted means.
import { prefixTokenId } from './encode-pair.js';
import type { EvalModel, EvalTokenizer } from './model-interface.js';
import { documentWindows } from './rolling-windows.js';
import { scoreContinuations, type ContinuationRequest, type ScoreOptions } from './score-continuations.js';

export interface LanguageModelLoss {
  documents: number;
  /** Tokens predicted (the document's tokens; the BOS prefix is not one of them). */
  tokens: number;
  /** UTF-8 bytes of the documents. */
  bytes: number;
  /** Whitespace-separated words, as the harness counts them for word perplexity. */
  words: number;
  /** Sum of -log p over all predicted tokens (nats). */
  nllSum: number;
  /** nllSum / tokens: the usual "loss". */
  meanNll: number;
  /** exp(meanNll). */
  perplexity: number;
  /** nllSum / bytes / ln 2. */
  bitsPerByte: number;
  /** exp(nllSum / words). */
  wordPerplexity: number;
  /** meanNll / ln(V): the paper's normalised loss, 1 for a uniform guess. */
  normalizedLoss: number;
  /** Per document: tokens and summed NLL, in input order. */
  perDocument: { tokens: number; bytes: number; nll: number }[];
}

export interface LanguageModelLossOptions extends ScoreOptions {
  /** Vocabulary size for the normalised loss. Default: the model's. */
  vocabSize?: number;
}

const textEncoder = new TextEncoder();

/** Windows of every document, flattened, and which document each belongs to. */
export function encodeDocumentWindows(
  tokenizer: EvalTokenizer,
  documents: readonly string[],
  maxLength: number,
): { requests: ContinuationRequest[]; owner: number[]; tokens: number[] } {
  const prefix = prefixTokenId(tokenizer);
  const requests: ContinuationRequest[] = [];
  const owner: number[] = [];
  const tokens: number[] = [];
  documents.forEach((text, d) => {
    const ids = tokenizer.encode(text, { addBos: false });
    tokens.push(ids.length);
    for (const window of documentWindows(ids, prefix, maxLength)) {
      requests.push(window);
      owner.push(d);
    }
  });
  return { requests, owner, tokens };
}

export async function languageModelLoss(
  model: EvalModel,
  tokenizer: EvalTokenizer,
  documents: readonly string[],
  options: LanguageModelLossOptions = {},
): Promise<LanguageModelLoss> {
  const maxLength = options.maxLength ?? model.config.maxPositionEmbeddings;
  const { requests, owner, tokens } = encodeDocumentWindows(tokenizer, documents, maxLength);
  const scores = await scoreContinuations(model, requests, { ...options, maxLength });
  const nll = new Float64Array(documents.length);
  scores.forEach((s, i) => {
    nll[owner[i]] -= s.logLikelihood;
  });
  const perDocument = documents.map((text, d) => ({ tokens: tokens[d], bytes: textEncoder.encode(text).length, nll: nll[d] }));
  return summarizeLoss(perDocument, countWords(documents), options.vocabSize ?? model.config.vocabSize);
}

/** Pooled metrics from per-document NLL sums. */
export function summarizeLoss(
  perDocument: { tokens: number; bytes: number; nll: number }[],
  words: number,
  vocabSize: number,
): LanguageModelLoss {
  let tokens = 0;
  let bytes = 0;
  let nllSum = 0;
  for (const d of perDocument) {
    tokens += d.tokens;
    bytes += d.bytes;
    nllSum += d.nll;
  }
  const meanNll = tokens > 0 ? nllSum / tokens : Number.NaN;
  return {
    documents: perDocument.length,
    tokens,
    bytes,
    words,
    nllSum,
    meanNll,
    perplexity: Math.exp(meanNll),
    bitsPerByte: bytes > 0 ? nllSum / bytes / Math.LN2 : Number.NaN,
    wordPerplexity: words > 0 ? Math.exp(nllSum / words) : Number.NaN,
    normalizedLoss: meanNll / Math.log(vocabSize),
    perDocument,
  };
}

/** The harness's word count: `len(re.split(r"\s+", doc))` summed over documents. */
export function countWords(documents: readonly string[]): number {
  let words = 0;
  for (const text of documents) words += text.split(/\s+/u).length;
  return words;
}
