import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import { MalformedRowCollector, readMmluFile } from '@layerprune/eval';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import type { EvalCommandResult } from './eval.js';

const MMLU = defaultMmluDir();
/** The first four questions of ARC-Easy dev (CC BY-SA 4.0, Allen Institute for AI; see packages/eval/test-fixtures/SOURCE.md). */
const ARC_LINES = [
  '{"id": "MCAS_2000_4_6", "question": {"stem": "Which technology was developed most recently?", "choices": [{"text": "cellular telephone", "label": "A"}, {"text": "television", "label": "B"}, {"text": "refrigerator", "label": "C"}, {"text": "airplane", "label": "D"}]}, "answerKey": "A"}',
  '{"id": "Mercury_7057260", "question": {"stem": "A student hypothesizes that algae are producers. Which question will best help the student determine if this is correct?", "choices": [{"text": "Do algae consume other organisms?", "label": "A"}, {"text": "Which organisms consume algae?", "label": "B"}, {"text": "Do algae use sunlight to make food?", "label": "C"}, {"text": "Could an ecosystem survive without algae?", "label": "D"}]}, "answerKey": "C"}',
  '{"id": "ACTAAP_2014_7_6", "question": {"stem": "Soccer players use their muscle systems to kick a ball into a goal. What organ system coordinates the muscles?", "choices": [{"text": "The nervous system", "label": "A"}, {"text": "The endocrine system", "label": "B"}, {"text": "The respiratory system", "label": "C"}, {"text": "The circulatory system", "label": "D"}]}, "answerKey": "A"}',
  '{"id": "Mercury_7122448", "question": {"stem": "Planets in the solar system are in constant motion. What factor has the greatest effect on the orbits of the planets?", "choices": [{"text": "the size of the planets", "label": "A"}, {"text": "gravitational pull of the Sun", "label": "B"}, {"text": "the composition of the planets", "label": "C"}, {"text": "electromagnetic radiation from the Sun", "label": "D"}]}, "answerKey": "B"}',
];
let ARC: string;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-eval-'));
  ARC = join(root, 'ARC-Easy-dev-first4.jsonl');
  await writeFile(ARC, `${ARC_LINES.join('\n')}\n`);
});
afterAll(() => rm(root, { recursive: true, force: true }));

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];
const stringLeaf = (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
const stringList = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  stringLeaf('element'),
];

/** A Parquet file of `rows` with the (nested) `schema`, as a Hugging Face dataset holds them. */
async function writeParquetRows(file: string, schema: SchemaElement[], rows: Record<string, unknown>[]): Promise<string> {
  // The top-level columns: each element is followed by its num_children subtrees.
  const end = (i: number): number => {
    let next = i + 1;
    for (let c = 0; c < (schema[i].num_children ?? 0); c += 1) next = end(next);
    return next;
  };
  const names: string[] = [];
  for (let i = 0; i < schema.length; i = end(i)) names.push(schema[i].name);
  const columnData = names.map((name) => ({ name, data: rows.map((r) => r[name] ?? null) }));
  await writeFile(file, new Uint8Array(parquetWriteBuffer({ schema: [{ name: 'root', num_children: names.length }, ...schema], columnData })));
  return file;
}

async function evalJson(args: string[]): Promise<EvalCommandResult> {
  const run = await runCli(['eval', '--json', '--quiet', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as EvalCommandResult;
}

describe('layerprune eval', () => {
  it('evaluates MMLU (per subject), ARC and loss on the default model and returns JSON with its config', async () => {
    const story = join(root, 'story.txt');
    await writeFile(story, 'Once upon a time, there was a little girl named Lily. She loved to play outside.');
    const result = await evalJson([
      '--task', `mmlu:${MMLU}`, '--task', `arc:${ARC}`, '--task', `loss:${story}`,
      '--subjects', 'anatomy,virology', '--shots', '2', '--limit', '3',
    ]);
    expect(result.model).toBe(defaultModelDir());
    expect(result.config).toMatchObject({ shots: 2, limit: 3, seed: 1234, strict: false, addBos: true, subjects: ['anatomy', 'virology'] });
    const [mmlu, arc, loss] = result.results;
    expect(mmlu).toMatchObject({ task: 'mmlu', items: 6, chance: 0.25 });
    expect(mmlu.task === 'mmlu' && mmlu.subjects?.map((s) => [s.subject, s.items, s.shots])).toEqual([
      ['anatomy', 3, 2],
      ['virology', 3, 2],
    ]);
    expect(arc).toMatchObject({ task: 'arc', items: 3 });
    expect(loss.task === 'loss' && loss.loss.tokens).toBeGreaterThan(10);
    // A story model's loss on a TinyStories-like sentence is far below a uniform guess.
    expect(loss.task === 'loss' && loss.loss.normalizedLoss).toBeLessThan(0.6);
  });

  it('prints result tables, and warns about skipped rows with file and line', async () => {
    const bad = join(root, 'mc.jsonl');
    await writeFile(bad, '{"context":"The cat sat on the","choices":["mat","moon"],"gold":0}\n{"context":"x","choices":["a"],"gold":0}\n');
    const run = await runCli(['eval', '--task', `mc:${bad}`, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^task\s+items\s+acc\s+± stderr\s+acc_norm\s+chance\s+items\/s$/m);
    expect(run.stdout).toMatch(/^mc:mc\.jsonl\s+1\s/m);
    expect(run.stdout).toContain('1 malformed rows skipped');
    expect(run.stderr).toBe(`warning: skipped ${bad}:2: expected 2-26 choices, found 1\n`);
  });

  it('--compare reports both losses and the agreement; a model agrees with itself', async () => {
    const story = join(root, 'same.txt');
    await writeFile(story, 'Tom and Sue went to the park. They played on the swings.');
    const result = await evalJson(['--task', `loss:${story}`, '--compare', defaultModelDir()]);
    const [loss] = result.results;
    expect(loss.task === 'loss' && loss.agreement?.top1Agreement).toBe(1);
    expect(loss.task === 'loss' && loss.agreement!.meanKl).toBeLessThan(1e-6);
    expect(result.compareModel).toBe(defaultModelDir());
  });

  it('--task mmlu:FILE.parquet and arc:FILE.parquet (Hugging Face layouts) score exactly as the CSV and JSON Lines files', async () => {
    // cais/mmlu: question, subject, choices list<string>, answer int64; the dev split beside the test split.
    const mmluDir = join(root, 'mmlu-parquet', 'all');
    await mkdir(mmluDir, { recursive: true });
    const mmluSchema = [stringLeaf('question'), stringLeaf('subject'), ...stringList('choices'), { name: 'answer', type: 'INT64', repetition_type: 'OPTIONAL' } as SchemaElement];
    const mmluRows = async (split: string) =>
      (await readMmluFile(join(MMLU, split, `anatomy_${split}.csv`), 'anatomy', new MalformedRowCollector(true))).map((q) => ({ question: q.question, subject: 'anatomy', choices: q.choices, answer: BigInt(q.answer) }));
    const mmlu = await writeParquetRows(join(mmluDir, 'test-00000-of-00001.parquet'), mmluSchema, await mmluRows('test'));
    await writeParquetRows(join(mmluDir, 'dev-00000-of-00001.parquet'), mmluSchema, await mmluRows('dev'));
    // allenai/ai2_arc: question, choices {text, label}, answerKey; a fifth row without an answer key.
    const arcSchema = [stringLeaf('question'), { name: 'choices', repetition_type: 'OPTIONAL', num_children: 2 } as SchemaElement, ...stringList('text'), ...stringList('label'), stringLeaf('answerKey')];
    const arcRows = ARC_LINES.map((l) => JSON.parse(l) as { question: { stem: string; choices: { text: string; label: string }[] }; answerKey: string }).map((r) => ({
      question: r.question.stem,
      choices: { text: r.question.choices.map((c) => c.text), label: r.question.choices.map((c) => c.label) },
      answerKey: r.answerKey,
    }));
    const arc = await writeParquetRows(join(root, 'arc-easy.parquet'), arcSchema, [...arcRows, { ...arcRows[0], answerKey: null }]);

    const options = ['--subjects', 'anatomy', '--shots', '2', '--limit', '4', '--items'];
    const run = await runCli(['eval', '--json', '--quiet', '--task', `mmlu:${mmlu}`, '--task', `arc:${arc}`, ...options]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(`warning: skipped ${arc}: row 5: column "answerKey": missing answerKey\n`);
    const fromParquet = JSON.parse(run.stdout) as EvalCommandResult;
    const reference = await evalJson(['--task', `mmlu:${MMLU}`, '--task', `arc:${ARC}`, ...options]);
    expect(fromParquet.malformed).toEqual([{ file: arc, line: 5, reason: 'missing answerKey', column: 'answerKey' }]);
    const scores = (r: EvalCommandResult) =>
      r.results.map((t) => (t.task === 'loss' ? null : { items: t.items, acc: t.acc, accNorm: t.accNorm, perItem: t.perItem?.map((i) => i.logLikelihoods), subjects: t.subjects?.map((s) => [s.subject, s.items, s.shots]) }));
    expect(scores(fromParquet)).toEqual(scores(reference));
    expect(fromParquet.results.map((t) => t.task === 'loss' || t.items)).toEqual([4, 4]);
  });

  it('refuses bad input with one line and a non-zero exit', async () => {
    const bad = join(root, 'strict.jsonl');
    await writeFile(bad, '{"context":"x","choices":["a","b"]}\n');
    const cases: Array<[string[], RegExp, number]> = [
      [['--task', 'squad:x'], /^error \[INVALID_TASK_SPEC\]: task "squad:x"/, 1],
      [['--task', `mc:${bad}`, '--strict'], /^error \[MALFORMED_ROW\]: .*strict\.jsonl:1: missing gold$/, 1],
      [['--task', `arc:${join(root, 'none.jsonl')}`], /^error \[FILE_NOT_FOUND\]/, 1],
      [['--task', `arc:${ARC}`, '--limit', '0'], /^error \[INVALID_OPTION\]: --limit must be an integer >= 1, got 0$/, 2],
    ];
    for (const [args, pattern, code] of cases) {
      const run = await runCli(['eval', '--quiet', ...args]);
      expect([args, run.code]).toEqual([args, code]);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(pattern);
    }
  });
});
