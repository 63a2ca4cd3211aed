import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateTasks, type EvalProgress, type LossTaskResult, type McTaskResult } from './evaluate-tasks.js';
import { parseTaskSpec } from './task-spec.js';
import { ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';
import { ARC_EASY_DEV, HELLASWAG_FILE, MMLU_DIR, tempDir, TINYSTORIES_FILE } from './testing/paths.js';

const tok = new ToyTokenizer();

describe('evaluateTasks', () => {
  it('runs every task kind, reports per-subject MMLU, malformed rows and the config that produced the results', async () => {
    const dir = tempDir();
    const boolq = join(dir, 'boolq.jsonl');
    writeFileSync(boolq, '{"question":"is it","passage":"It is.","answer":true}\n{"question":"broken","passage":"x"}\n');
    const mc = join(dir, 'mc.jsonl');
    writeFileSync(mc, '{"context":"One plus one is","choices":["two","three"],"gold":0}\n');
    const loss = join(dir, 'story.txt');
    writeFileSync(loss, 'Tom had a big red ball. He liked to play with it every day.');
    const model = new ToyCausalLm(tok.vocabSize, 96);
    const progress: EvalProgress[] = [];
    const report = await evaluateTasks(
      model,
      tok,
      [
        parseTaskSpec(`mmlu:${MMLU_DIR}`),
        parseTaskSpec(`arc:${ARC_EASY_DEV}`),
        parseTaskSpec(`hellaswag:${HELLASWAG_FILE}`),
        parseTaskSpec(`boolq:${boolq}`),
        parseTaskSpec(`mc:${mc}`),
        parseTaskSpec(`loss:${loss}`),
      ],
      { shots: 1, limit: 2, subjects: ['anatomy', 'virology'], batchSize: 16 },
      (p) => progress.push(p),
    );
    expect(report.config).toMatchObject({ shots: 1, limit: 2, sample: false, seed: 1234, strict: false, addBos: true, maxLength: 96 });
    expect(report.config.tasks.map((t) => t.kind)).toEqual(['mmlu', 'arc', 'hellaswag', 'boolq', 'mc', 'loss']);
    const [mmlu, arc, hs, bq, generic, lm] = report.results as [McTaskResult, McTaskResult, McTaskResult, McTaskResult, McTaskResult, LossTaskResult];
    expect(mmlu.items).toBe(4);
    expect(mmlu.subjects?.map((s) => [s.subject, s.items, s.shots])).toEqual([
      ['anatomy', 2, 1],
      ['virology', 2, 1],
    ]);
    const subjectMean = (mmlu.subjects![0].acc + mmlu.subjects![1].acc) / 2;
    expect(mmlu.accSubjectMean).toBeCloseTo(subjectMean, 12);
    expect([arc.items, hs.items, bq.items, generic.items]).toEqual([2, 2, 1, 1]);
    expect(arc.chance).toBe(0.25);
    expect(bq.chance).toBe(0.5);
    expect(lm.loss.documents).toBe(1);
    expect(lm.loss.tokens).toBe(tok.encode('Tom had a big red ball. He liked to play with it every day.', { addBos: false }).length);
    expect(report.malformed).toEqual([{ file: boolq, line: 2, reason: 'missing answer (true/false) or label (0/1)' }]);
    expect(progress.at(-1)).toMatchObject({ task: 'loss:story.txt', unit: 'windows' });
    expect(progress.filter((p) => p.task === 'mmlu:mmlu').at(-1)).toMatchObject({ done: 4, total: 4, unit: 'items' });
    // The report is plain JSON.
    expect(JSON.parse(JSON.stringify(report)).results).toHaveLength(6);
  });

  it('with a reference model, loss tasks carry its loss and the agreement; strict stops at the first malformed row', async () => {
    const file = join(tempDir(), 'heldout.txt');
    writeFileSync(file, readFileSync(TINYSTORIES_FILE, 'utf8').slice(0, 300));
    const model = new ToyCausalLm(tok.vocabSize, 64, 3);
    const report = await evaluateTasks(model, tok, [{ kind: 'loss', path: file }], { reference: new ToyCausalLm(tok.vocabSize, 64, 4) });
    const result = report.results[0] as LossTaskResult;
    expect(result.agreement!.positions).toBe(result.loss.tokens);
    expect(result.reference!.tokens).toBe(result.loss.tokens);
    expect(report.config.compare).toBe(true);

    const bad = join(tempDir(), 'bad.jsonl');
    writeFileSync(bad, '{"context":"a","choices":["b","c"],"gold":0}\n{"context":"a","choices":["b"],"gold":0}\n');
    await expect(evaluateTasks(model, tok, [{ kind: 'mc', path: bad }], { strict: true })).rejects.toMatchObject({
      code: 'MALFORMED_ROW',
      message: `${bad}:2: expected 2-26 choices, found 1`,
    });
  });

  it('rejects bad task specs and empty tasks with typed errors', async () => {
    expect(() => parseTaskSpec('squad:x')).toThrow(/kind one of loss, mmlu, arc, hellaswag, boolq, mc/);
    expect(() => parseTaskSpec('mmlu:')).toThrow(expect.objectContaining({ code: 'INVALID_TASK_SPEC' }));
    const empty = join(tempDir(), 'empty.jsonl');
    writeFileSync(empty, '\n');
    await expect(evaluateTasks(new ToyCausalLm(tok.vocabSize, 8), tok, [{ kind: 'arc', path: empty }])).rejects.toMatchObject({ code: 'EMPTY_TASK' });
  });
});
