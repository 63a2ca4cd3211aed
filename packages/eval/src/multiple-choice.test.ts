import { describe, expect, it } from 'vitest';
import { evaluateMultipleChoice, judgeItem, summarizeMultipleChoice, type McItem } from './multiple-choice.js';
import { referenceLogProb, ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const tok = new ToyTokenizer();

/** Each choice in its own forward pass: BOS + context, then " " + choice, split where the context's tokens end. */
function bruteForceChoice(model: ToyCausalLm, context: string, choice: string): number {
  const ctx = [tok.bosId, ...tok.encode(context, { addBos: false })];
  const whole = [tok.bosId, ...tok.encode(`${context} ${choice}`, { addBos: false })];
  const rows = model.logitsOf(whole.slice(0, -1));
  let ll = 0;
  for (let p = ctx.length; p < whole.length; p += 1) ll += referenceLogProb(rows[p - 1], whole[p]);
  return ll;
}

const items: McItem[] = [
  { id: 'q1', context: 'Question: Which one is a fruit?\nAnswer:', choices: ['apple', 'car', 'stone', 'a very long answer'], gold: 0 },
  { id: 'q2', context: 'Sky colour?\nAnswer:', choices: ['A', 'B', 'C', 'D'], gold: 2 },
  { id: 'q3', context: 'Pick:', choices: ['x', 'yy', 'zzz'], gold: 1 },
];

describe('evaluateMultipleChoice', () => {
  it('scores equal a brute-force computation, each choice in its own forward pass, to 1e-4', async () => {
    const model = new ToyCausalLm(tok.vocabSize, 128);
    const results = await evaluateMultipleChoice(model, tok, items, { batchSize: 4, itemsPerChunk: 2 });
    items.forEach((item, i) => {
      const brute = item.choices.map((c) => bruteForceChoice(model, item.context, c));
      results[i].logLikelihoods.forEach((ll, j) => expect(Math.abs(ll - brute[j])).toBeLessThan(1e-4));
      const argmax = brute.indexOf(Math.max(...brute));
      expect(results[i].predicted).toBe(argmax);
      expect(results[i].correct).toBe(argmax === item.gold);
    });
  });

  it('one-letter choices share one forward pass of the context', async () => {
    const model = new ToyCausalLm(tok.vocabSize, 128);
    await evaluateMultipleChoice(model, tok, [items[1]]);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toMatchObject({ sequences: 1, mode: 'last' });
  });

  it('acc_norm divides by the UTF-8 bytes of the choice, without the delimiter', () => {
    const item: McItem = { id: 'n', context: 'c', choices: ['ab', 'abcdéf'], gold: 1 };
    // -3 / 2 = -1.5 versus -7 / 7 = -1 ("é" is 2 bytes): acc picks 0, acc_norm picks 1.
    const r = judgeItem(item, [-3, -7]);
    expect([r.predicted, r.predictedNorm, r.correct, r.correctNorm]).toEqual([0, 1, false, true]);
    // Ties go to the first index, like numpy.argmax.
    expect(judgeItem({ ...item, choices: ['a', 'b'] }, [-1, -1]).predicted).toBe(0);
  });

  it('summarises accuracy with the harness standard error and the chance level', () => {
    const r = (correct: boolean) => ({ id: '', gold: 0, logLikelihoods: [], predicted: 0, predictedNorm: 0, correct, correctNorm: !correct });
    const s = summarizeMultipleChoice([r(true), r(false), r(false), r(true)], [4, 4, 2, 2]);
    expect(s.acc).toBe(0.5);
    expect(s.accNorm).toBe(0.5);
    expect(s.accStderr).toBeCloseTo(Math.sqrt(0.25 / 3), 12);
    expect(s.chance).toBeCloseTo((0.25 + 0.25 + 0.5 + 0.5) / 4, 12);
  });
});
