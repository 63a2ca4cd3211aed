import { describe, expect, it } from 'vitest';
import { compareModels } from './compare-models.js';
import { languageModelLoss } from './language-model-loss.js';
import { ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const tok = new ToyTokenizer();
const docs = ['The little dog ran to the park and played all day.', 'Bob had a red ball. He threw it high!'];

function softmax(row: Float64Array): Float64Array {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('compareModels', () => {
  it('a model agrees fully with itself: top-1 agreement 1, KL 0, equal losses', async () => {
    const model = new ToyCausalLm(tok.vocabSize, 32);
    const cmp = await compareModels(model, model, tok, docs);
    expect(cmp.agreement.top1Agreement).toBe(1);
    expect(cmp.agreement.meanKl).toBeLessThan(1e-9);
    expect(cmp.candidate.nllSum).toBeCloseTo(cmp.reference.nllSum, 9);
  });

  it('KL(reference || candidate) and greedy agreement equal a direct computation; losses equal languageModelLoss', async () => {
    const L = 16;
    const ref = new ToyCausalLm(tok.vocabSize, L, 1);
    const cand = new ToyCausalLm(tok.vocabSize, L, 2);
    const cmp = await compareModels(ref, cand, tok, docs, { batchSize: 2 });
    // Direct: the same inputs as the loss windows, one sequence at a time.
    let kl = 0;
    let agree = 0;
    let n = 0;
    for (const doc of docs) {
      const ids = tok.encode(doc, { addBos: false });
      const inputs: { input: number[]; from: number }[] = [{ input: [tok.bosId, ...ids.slice(0, L - 1)], from: 0 }];
      for (let start = L; start < ids.length; start += L) {
        const end = Math.min(start + L, ids.length);
        inputs.push({ input: ids.slice(end - 1 - L, end - 1), from: L - (end - start) });
      }
      for (const { input, from } of inputs) {
        const a = ref.logitsOf(input);
        const b = cand.logitsOf(input);
        for (let p = from; p < input.length; p += 1) {
          const P = softmax(a[p]);
          const Q = softmax(b[p]);
          kl += P.reduce((s, pv, v) => s + pv * Math.log(pv / Q[v]), 0);
          if (a[p].indexOf(Math.max(...a[p])) === b[p].indexOf(Math.max(...b[p]))) agree += 1;
          n += 1;
        }
      }
    }
    expect(cmp.agreement.positions).toBe(n);
    expect(cmp.agreement.meanKl).toBeCloseTo(kl / n, 5);
    expect(cmp.agreement.top1Agreement).toBeCloseTo(agree / n, 12);
    expect(cmp.agreement.top1Agreement).toBeLessThan(1);
    const own = await languageModelLoss(cand, tok, docs);
    expect(cmp.candidate.meanNll).toBeCloseTo(own.meanNll, 6);
  });

  it('refuses models with different vocabularies', async () => {
    await expect(compareModels(new ToyCausalLm(200, 8), new ToyCausalLm(201, 8), tok, docs)).rejects.toMatchObject({ code: 'VOCAB_MISMATCH' });
  });
});
