import { describe, expect, it } from 'vitest';
import { EvalError } from './eval-error.js';
import { scoreContinuations, type ContinuationRequest } from './score-continuations.js';
import { referenceLogProb, ToyCausalLm } from './testing/toy-causal-lm.js';

/** Brute force: one forward pass per request, every continuation token read from its own row. */
function bruteForce(model: ToyCausalLm, request: ContinuationRequest, maxLength: number): { ll: number; greedy: boolean } {
  let whole = [...request.context, ...request.continuation];
  if (whole.length > maxLength + 1) whole = whole.slice(whole.length - maxLength - 1);
  const rows = model.logitsOf(whole.slice(0, -1));
  let ll = 0;
  let greedy = true;
  request.continuation.forEach((target, j) => {
    const row = rows[whole.length - 1 - request.continuation.length + j];
    ll += referenceLogProb(row, target);
    const best = row.indexOf(Math.max(...row));
    if (best !== target) greedy = false;
  });
  return { ll, greedy };
}

function randomRequests(count: number, vocab: number, seed: number): ContinuationRequest[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => ({
    context: Array.from({ length: 1 + Math.floor(next() * 30) }, () => Math.floor(next() * vocab)),
    continuation: Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * vocab)),
  }));
}

describe('scoreContinuations', () => {
  it('equals one-forward-per-request scoring for mixed lengths, batched and padded', async () => {
    const model = new ToyCausalLm(40, 64);
    const requests = randomRequests(37, 40, 3);
    const scores = await scoreContinuations(model, requests, { batchSize: 5 });
    requests.forEach((r, i) => {
      const ref = bruteForce(model, r, 64);
      expect(scores[i].logLikelihood).toBeCloseTo(ref.ll, 5);
      expect(scores[i].isGreedy).toBe(ref.greedy);
    });
    expect(model.calls.some((c) => c.sequences > 1)).toBe(true);
  });

  it('cuts long inputs from the left to the last maxLength + 1 tokens like the harness', async () => {
    const model = new ToyCausalLm(30, 16);
    const request = { context: Array.from({ length: 40 }, (_, i) => i % 30), continuation: [3, 4, 5] };
    const [score] = await scoreContinuations(model, [request]);
    expect(score.logLikelihood).toBeCloseTo(bruteForce(model, request, 16).ll, 5);
    expect(Math.max(...model.calls.flatMap((c) => c.lengths))).toBe(16);
  });

  it('runs a context shared by one-token choices once and reads only the last position', async () => {
    const model = new ToyCausalLm(30, 64);
    const context = [1, 7, 8, 9, 10];
    const requests = [11, 12, 13, 14].map((t) => ({ context, continuation: [t] }));
    const scores = await scoreContinuations(model, requests);
    expect(model.calls).toEqual([{ sequences: 1, mode: 'last', lengths: [5] }]);
    requests.forEach((r, i) => expect(scores[i].logLikelihood).toBeCloseTo(bruteForce(model, r, 64).ll, 5));
  });

  it('keeps batches of all-position logits under the byte budget', async () => {
    const model = new ToyCausalLm(50, 64);
    const requests = randomRequests(12, 50, 9).map((r) => ({ ...r, continuation: [...r.continuation, 1] }));
    await scoreContinuations(model, requests, { batchSize: 8, maxLogitsBytes: 2 * 40 * 50 * 4 });
    for (const call of model.calls) expect(call.sequences * Math.max(...call.lengths) * 50 * 4).toBeLessThanOrEqual(2 * 40 * 50 * 4);
  });

  it('rejects an empty or over-long continuation with a typed error', async () => {
    const model = new ToyCausalLm(20, 8);
    await expect(scoreContinuations(model, [{ context: [1], continuation: [] }])).rejects.toMatchObject({ code: 'CONTINUATION_EMPTY' });
    const long = scoreContinuations(model, [{ context: [1], continuation: new Array(9).fill(2) }]);
    await expect(long).rejects.toBeInstanceOf(EvalError);
    await expect(long).rejects.toMatchObject({ code: 'CONTINUATION_TOO_LONG', limit: 8 });
  });

  it('refuses a model whose logits have the wrong size', async () => {
    const model = new ToyCausalLm(20, 8);
    const broken = { config: model.config, forward: async () => ({ batch: 1, maxLength: 2, lengths: [2], vocabSize: 20, logits: new Float32Array(3) }) };
    await expect(scoreContinuations(broken, [{ context: [1, 2], continuation: [3] }])).rejects.toMatchObject({ code: 'MODEL_OUTPUT_INVALID' });
  });
});
