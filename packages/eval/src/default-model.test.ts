// Acceptance on the real default model (stories260K, bundled by @layerprune/assets):
// the numbers printed here are checked against an independent implementation
// outside the project; the assertions compare against reference code written
// plainly in this file (one forward pass per sequence, float64 log-softmax).
import { readFileSync } from 'node:fs';
import { defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer, type LlamaModel, type Tokenizer } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTasks, type McTaskResult } from './evaluate-tasks.js';
import { languageModelLoss } from './language-model-loss.js';
import { MalformedRowCollector } from './malformed-rows.js';
import { evaluateMultipleChoice, type McItem } from './multiple-choice.js';
import { readArc } from './read-arc.js';
import { loadMmluTask } from './read-mmlu.js';
import { ARC_EASY_DEV, HELLASWAG_FILE, MMLU_DIR } from './testing/paths.js';

let model: LlamaModel;
let tokenizer: Tokenizer;

beforeAll(async () => {
  model = await loadModel(defaultModelDir());
  tokenizer = await loadTokenizer(defaultModelDir());
});
afterAll(() => model?.dispose());

function logSoftmaxAt(logits: Float32Array, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v += 1) max = Math.max(max, logits[offset + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v += 1) sum += Math.exp(logits[offset + v] - max);
  return logits[offset + target] - max - Math.log(sum);
}

/** Sum of log p(sequence[p] | sequence[..p]) for p in [from, length), one sequence per forward pass. */
async function bruteForceSum(sequence: number[], from: number): Promise<number> {
  const out = await model.forward([sequence.slice(0, -1)], { logits: 'all' });
  let sum = 0;
  for (let p = from; p < sequence.length; p += 1) sum += logSoftmaxAt(out.logits!, (p - 1) * out.vocabSize, out.vocabSize, sequence[p]);
  return sum;
}

describe('default model (stories260K)', () => {
  it('loss on the first 951 characters of the bundled TinyStories held-out text', async () => {
    const text = readFileSync(defaultHeldoutFile(), 'utf8').slice(0, 951);
    const loss = await languageModelLoss(model, tokenizer, [text]);
    const tokens = tokenizer.encode(text, { addBos: false });
    expect(loss.tokens).toBe(tokens.length);
    expect(tokens.length).toBeLessThan(model.config.maxPositionEmbeddings); // one window: BOS + text
    const reference = -(await bruteForceSum([tokenizer.bosId!, ...tokens], 1));
    expect(Math.abs(loss.nllSum - reference)).toBeLessThan(1e-3);
    console.log(
      `stories260K, first 951 chars of ${defaultHeldoutFile()}: tokens ${loss.tokens}, ` +
        `mean NLL ${loss.meanNll.toFixed(6)} nats/token, perplexity ${loss.perplexity.toFixed(4)}, ` +
        `bits/byte ${loss.bitsPerByte.toFixed(6)}, NLL/ln(V) ${loss.normalizedLoss.toFixed(6)}`,
    );
  });

  it('multiple-choice scores equal a brute-force computation (each choice in its own forward pass) to 1e-4', { timeout: 120_000 }, async () => {
    // ARC item 9 has digit labels; the MMLU item is 1-shot so its prompt fits the context uncut.
    const arc = (await readArc(ARC_EASY_DEV, new MalformedRowCollector(true))).filter((_, i) => i === 0 || i === 8);
    const mmlu = (await loadMmluTask(MMLU_DIR, new MalformedRowCollector(true), { shots: 1, limit: 1, subjects: ['anatomy'] })).items;
    const items: McItem[] = [...arc, ...mmlu];
    const results = await evaluateMultipleChoice(model, tokenizer, items, { batchSize: 8 });
    for (const [i, item] of items.entries()) {
      for (const [j, choice] of item.choices.entries()) {
        // Harness _encode_pair by hand: encode context and context + " " + choice, split at the context's length.
        const ctx = tokenizer.encode(item.context, { addBos: false });
        const whole = tokenizer.encode(`${item.context} ${choice}`, { addBos: false });
        let sequence = [tokenizer.bosId!, ...whole];
        let from = 1 + ctx.length;
        const limit = model.config.maxPositionEmbeddings + 1;
        if (sequence.length > limit) {
          from -= sequence.length - limit;
          sequence = sequence.slice(sequence.length - limit);
        }
        expect(Math.abs(results[i].logLikelihoods[j] - (await bruteForceSum(sequence, from)))).toBeLessThan(1e-4);
      }
    }
  });

  it('MMLU, ARC and HellaSwag accuracy is near chance (the tiny model knows no facts)', { timeout: 180_000 }, async () => {
    // Small limits keep this fast: every 5-shot MMLU prompt fills the 512-token context.
    const subjects = ['abstract_algebra', 'anatomy', 'astronomy', 'college_biology', 'econometrics', 'global_facts', 'marketing', 'nutrition', 'philosophy', 'prehistory', 'sociology', 'virology'];
    const report = await evaluateTasks(
      model,
      tokenizer,
      [{ kind: 'mmlu', path: MMLU_DIR }],
      { shots: 5, limit: 2, subjects, batchSize: 16 },
    );
    // ARC-Easy dev and the first 200 HellaSwag items: the excerpts kept in test-fixtures/ (the tests read nothing outside the repository).
    const more = await evaluateTasks(
      model,
      tokenizer,
      [
        { kind: 'arc', path: ARC_EASY_DEV },
        { kind: 'hellaswag', path: HELLASWAG_FILE },
      ],
      { limit: 40, sample: true, seed: 1234, batchSize: 16 },
    );
    const [mmlu] = report.results as McTaskResult[];
    expect(mmlu.items).toBe(24);
    expect(mmlu.subjects?.map((s) => s.items)).toEqual(subjects.map(() => 2));
    for (const t of [mmlu, ...(more.results as McTaskResult[])]) {
      console.log(
        `stories260K ${t.task}: ${t.items} items, acc ${t.acc.toFixed(4)} ± ${t.accStderr.toFixed(4)}, acc_norm ${t.accNorm.toFixed(4)}, chance ${t.chance.toFixed(4)}` +
          (t.accSubjectMean === undefined ? '' : `, mean over subjects ${t.accSubjectMean.toFixed(4)}`) +
          `, ${t.itemsPerSecond.toFixed(2)} items/s`,
      );
      // Within 4 binomial standard errors of chance.
      const sd = Math.sqrt((t.chance * (1 - t.chance)) / t.items);
      expect(Math.abs(t.acc - t.chance)).toBeLessThan(4 * sd);
    }
  });
});
