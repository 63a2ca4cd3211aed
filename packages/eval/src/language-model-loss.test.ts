import { describe, expect, it } from 'vitest';
import { languageModelLoss } from './language-model-loss.js';
import { referenceLogProb, ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const tok = new ToyTokenizer();

/**
 * Reference written from the harness's description, without its window helpers:
 * token i is predicted from BOS + tokens[0..i) while i < L (first window); after
 * that, windows of L predictions start at k*L and each sees the L tokens before it
 * (the last, shorter window sees a full L-token input ending just before its last token).
 */
function referenceNll(model: ToyCausalLm, tokens: number[], L: number): number {
  let nll = 0;
  const first = Math.min(L, tokens.length);
  const rows = model.logitsOf([tok.bosId, ...tokens.slice(0, first - 1)]);
  for (let i = 0; i < first; i += 1) nll -= referenceLogProb(rows[i], tokens[i]);
  for (let start = first; start < tokens.length; start += L) {
    const end = Math.min(start + L, tokens.length);
    const input = tokens.slice(end - 1 - L, end - 1);
    const r = model.logitsOf(input);
    for (let i = start; i < end; i += 1) nll -= referenceLogProb(r[i - 1 - (end - 1 - L)], tokens[i]); // row of token i - 1
  }
  return nll;
}

describe('languageModelLoss', () => {
  it('sums rolling-window NLL per document like the harness and pools the metrics', async () => {
    const L = 24;
    const model = new ToyCausalLm(tok.vocabSize, L);
    const documents = ['Once upon a time there was a cat. ', 'Short.', 'A much longer document, with more than two windows of text in it! '.repeat(2)];
    const result = await languageModelLoss(model, tok, documents, { batchSize: 3 });
    const tokens = documents.map((d) => tok.encode(d, { addBos: false }));
    const nll = tokens.map((t) => referenceNll(model, t, L));
    expect(tokens[2].length).toBeGreaterThan(2 * L);
    result.perDocument.forEach((d, i) => {
      expect(d.tokens).toBe(tokens[i].length);
      expect(d.nll).toBeCloseTo(nll[i], 4);
    });
    const totalTokens = tokens.reduce((s, t) => s + t.length, 0);
    const totalNll = nll.reduce((s, x) => s + x, 0);
    const bytes = documents.reduce((s, d) => s + Buffer.byteLength(d, 'utf8'), 0);
    expect(result.tokens).toBe(totalTokens);
    expect(result.bytes).toBe(bytes);
    expect(result.meanNll).toBeCloseTo(totalNll / totalTokens, 6);
    expect(result.perplexity).toBeCloseTo(Math.exp(totalNll / totalTokens), 4);
    expect(result.bitsPerByte).toBeCloseTo(totalNll / bytes / Math.log(2), 6);
    expect(result.normalizedLoss).toBeCloseTo(totalNll / totalTokens / Math.log(tok.vocabSize), 6);
    // Words as the harness counts them: re.split(r"\s+", doc); a trailing space leaves an empty last piece.
    expect(result.words).toBe(9 + 1 + 2 * 13 + 1);
  });

  it('counts bytes of multi-byte text in UTF-8', async () => {
    const model = new ToyCausalLm(tok.vocabSize, 16);
    const result = await languageModelLoss(model, tok, ['héllo wörld']);
    expect(result.bytes).toBe(13);
  });
});
