// Multiple-choice tasks in Parquet, in the column layouts of their Hugging Face
// datasets (cais/mmlu, allenai/ai2_arc, Rowan/hellaswag, google/boolq): each
// Parquet file is written at test time from an existing fixture (or the JSON
// Lines rows beside it), and must give exactly the same items. Malformed rows
// are skipped and listed like JSON Lines rows, naming the row and the column.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalError } from './eval-error.js';
import { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import { readArc } from './read-arc.js';
import { readBoolq } from './read-boolq.js';
import { readHellaswag } from './read-hellaswag.js';
import { readMcJsonl } from './read-mc-jsonl.js';
import { loadMmluTask, readMmluFile } from './read-mmlu.js';
import { boolColumn, int64Column, stringColumn, stringListColumn, structColumn, writeRowsParquet } from './testing/parquet.js';
import { ARC_EASY_DEV, HELLASWAG_FILE, HELLASWAG_ITEMS, MMLU_DIR, tempDir } from './testing/paths.js';

const dir = tempDir('layerprune-eval-mc-parquet-');
const strict = (): MalformedRowCollector => new MalformedRowCollector(true);
const lenient = (): MalformedRowCollector => new MalformedRowCollector(false);
/** Items without their ids ("file:line" vs "file:row N"). */
const content = (items: McItem[]): Omit<McItem, 'id'>[] => items.map(({ id: _id, ...rest }) => rest);

async function strictError(promise: Promise<unknown>): Promise<EvalError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvalError);
  return error as EvalError;
}

// cais/mmlu
const MMLU_COLUMNS = [stringColumn('question'), stringColumn('subject'), stringListColumn('choices'), int64Column('answer')];
const ARC_COLUMNS = [
  stringColumn('id'),
  stringColumn('question'),
  structColumn('choices', [stringListColumn('text'), stringListColumn('label')]),
  stringColumn('answerKey'),
];

describe('MMLU from Parquet (cais/mmlu: question, subject, choices, answer)', () => {
  const subjects = ['anatomy', 'virology'];
  const allDir = join(dir, 'mmlu', 'all');
  mkdirSync(allDir, { recursive: true });

  async function writeSplit(split: 'test' | 'dev'): Promise<string> {
    const rows: Record<string, unknown>[] = [];
    for (const subject of subjects) {
      const file = join(MMLU_DIR, split, `${subject}_${split}.csv`);
      for (const q of await readMmluFile(file, subject, strict())) rows.push({ question: q.question, subject, choices: q.choices, answer: q.answer });
    }
    return writeRowsParquet(join(allDir, `${split}-00000-of-00001.parquet`), MMLU_COLUMNS, rows, 64);
  }

  it('gives the items of the CSV files, shots from the dev file beside it; --limit per subject, --subjects', async () => {
    const test = await writeSplit('test');
    await writeSplit('dev');
    const fromCsv = await loadMmluTask(MMLU_DIR, strict(), { subjects, shots: 5 });
    const fromParquet = await loadMmluTask(test, strict(), { shots: 5 });
    // anatomy 135 + virology 166 test questions, each with 5 dev examples of its subject.
    expect(fromParquet.items).toHaveLength(301);
    expect(fromParquet.subjects.map((s) => [s.subject, s.items, s.shots])).toEqual([['anatomy', 135, 5], ['virology', 166, 5]]);
    expect(content(fromParquet.items)).toEqual(content(fromCsv.items));
    expect(fromParquet.items[0].id).toBe(`${test}:row 1`);
    expect(fromParquet.subjects).toEqual(fromCsv.subjects.map((s) => ({ ...s, file: test })));
    const limited = await loadMmluTask(test, strict(), { shots: 2, subjects: ['virology'], limit: 3 });
    expect(content(limited.items)).toEqual(content((await loadMmluTask(MMLU_DIR, strict(), { shots: 2, subjects: ['virology'], limit: 3 })).items));
    await expect(loadMmluTask(test, strict(), { subjects: ['astrology'] })).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'subjects' });
  });

  it('the dev file evaluated on its own never shows a question as its own example', async () => {
    const dev = await writeSplit('dev');
    const fromCsv = await loadMmluTask(MMLU_DIR, strict(), { subjects, shots: 5, split: 'dev' });
    expect(content((await loadMmluTask(dev, strict(), { shots: 5 })).items)).toEqual(content(fromCsv.items));
  });

  it('without a dev file beside it, shots are refused (FILE_NOT_FOUND) and 0 shots work', async () => {
    const alone = join(dir, 'mmlu-alone');
    mkdirSync(alone);
    const file = writeRowsParquet(join(alone, 'test.parquet'), MMLU_COLUMNS, [{ question: 'What is 1+1?', subject: 'toy', choices: ['1', '2', '3', '4'], answer: 1 }]);
    const error = await strictError(loadMmluTask(file, strict(), { shots: 5 }));
    expect(error).toMatchObject({ code: 'FILE_NOT_FOUND', file, field: 'shots' });
    expect(error.message).toContain(`no MMLU dev file dev-*.parquet in ${alone}`);
    const task = await loadMmluTask(file, strict(), { shots: 0 });
    expect(task.items).toEqual([
      {
        id: `${file}:row 1`,
        context: 'The following are multiple choice questions (with answers) about toy.\n\nWhat is 1+1?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:',
        choices: ['A', 'B', 'C', 'D'],
        gold: 1,
        group: 'toy',
      },
    ]);
  });

  it('reports malformed rows with file, row and column; strict refuses the first', async () => {
    const bad = join(dir, 'mmlu-bad');
    mkdirSync(bad);
    const good = { question: 'Fine?', subject: 'toy', choices: ['a', 'b', 'c', 'd'], answer: 0 };
    const file = writeRowsParquet(join(bad, 'test.parquet'), MMLU_COLUMNS, [
      good,
      { ...good, answer: null },
      { ...good, choices: ['a', 'b', 'c'] },
      { ...good, answer: 7 },
      { ...good, question: '  ' },
      { ...good, subject: null },
      good,
    ]);
    const collector = lenient();
    expect((await loadMmluTask(file, collector, { shots: 0 })).items.map((i) => i.id)).toEqual([`${file}:row 1`, `${file}:row 7`]);
    expect(collector.rows).toEqual([
      { file, line: 2, reason: 'missing answer', column: 'answer' },
      { file, line: 3, reason: 'expected 4 choices (strings), found 3', column: 'choices' },
      { file, line: 4, reason: 'answer "7" is not one of 0-3 or A-D', column: 'answer' },
      { file, line: 5, reason: 'missing question', column: 'question' },
      { file, line: 6, reason: 'missing subject', column: 'subject' },
    ]);
    const error = await strictError(loadMmluTask(file, strict(), { shots: 0 }));
    expect(error).toMatchObject({ code: 'MALFORMED_ROW', file, line: 2, field: 'answer' });
    expect(error.message).toBe(`${file}: row 2: column "answer": missing answer`);
    // A file without the layout's columns is one error naming what it has.
    const other = writeRowsParquet(join(bad, 'other.parquet'), [stringColumn('question'), stringColumn('answer')], [{ question: 'q', answer: 'A' }]);
    const missing = await strictError(loadMmluTask(other, lenient(), { shots: 0 }));
    expect(missing).toMatchObject({ code: 'MISSING_FIELD', file: other, field: 'subject' });
    expect(missing.message).toBe(
      `${other}: no column "subject" in this Parquet file (columns: question, answer); expected the columns question, subject, choices, answer`,
    );
  });
});

describe('ARC from Parquet (allenai/ai2_arc: id, question, choices {text, label}, answerKey)', () => {
  it('gives the items of the JSON Lines fixture', async () => {
    const rows = readFileSync(ARC_EASY_DEV, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const r = JSON.parse(l) as { id: string; question: { stem: string; choices: { text: string; label: string }[] }; answerKey: string };
        return { id: r.id, question: r.question.stem, choices: { text: r.question.choices.map((c) => c.text), label: r.question.choices.map((c) => c.label) }, answerKey: r.answerKey };
      });
    const file = writeRowsParquet(join(dir, 'ARC-Easy-dev.parquet'), ARC_COLUMNS, rows, 100);
    const fromJsonl = await readArc(ARC_EASY_DEV, strict());
    const fromParquet = await readArc(file, strict());
    expect(fromParquet).toHaveLength(570);
    expect(content(fromParquet)).toEqual(content(fromJsonl));
    expect(fromParquet[569].id).toBe(`${file}:row 570`);
  });

  it('reports malformed rows with file, row and column', async () => {
    const q = (answerKey: string | null, text = ['x', 'y', 'z']) => ({ question: 'Why?', choices: { text, label: ['A', 'B', 'C'].slice(0, text.length) }, answerKey });
    const file = writeRowsParquet(join(dir, 'arc-bad.parquet'), ARC_COLUMNS, [q('B'), q('E'), q(null), q('A', ['x', 'y']), { ...q('A'), question: null }]);
    const collector = lenient();
    expect((await readArc(file, collector)).map((i) => i.gold)).toEqual([1]);
    expect(collector.rows).toEqual([
      { file, line: 2, reason: 'answerKey "E" is not one of the labels A, B, C', column: 'answerKey' },
      { file, line: 3, reason: 'missing answerKey', column: 'answerKey' },
      { file, line: 4, reason: 'expected 3-5 choices with a text and a label each, found 2', column: 'choices' },
      { file, line: 5, reason: 'missing question.stem', column: 'question' },
    ]);
    await expect(readArc(file, strict())).rejects.toMatchObject({ code: 'MALFORMED_ROW', file, line: 2, field: 'answerKey' });
  });
});

describe('HellaSwag from Parquet (Rowan/hellaswag: activity_label, ctx, ctx_a, ctx_b, endings, label)', () => {
  const HS_COLUMNS = [stringColumn('activity_label'), stringColumn('ctx'), stringListColumn('endings'), stringColumn('label')];

  it('gives the items of the six-line fixture; with ctx_a and ctx_b the query is the harness\'s exactly', async () => {
    const lines = readFileSync(HELLASWAG_FILE, 'utf8').split('\n');
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i + 6 <= lines.length; i += 6) {
      const colon = lines[i].indexOf(': ');
      rows.push({ activity_label: lines[i].slice(0, colon), ctx: lines[i].slice(colon + 2), label: lines[i + 1], endings: lines.slice(i + 2, i + 6) });
    }
    const file = writeRowsParquet(join(dir, 'hellaswag.parquet'), HS_COLUMNS, rows, 64);
    const fromText = await readHellaswag(HELLASWAG_FILE, strict());
    const fromParquet = await readHellaswag(file, strict());
    expect(fromParquet).toHaveLength(HELLASWAG_ITEMS);
    expect(content(fromParquet)).toEqual(content(fromText));
    // Validation item 0 as the dataset holds it: ctx_a and ctx_b apart, an integer label.
    const split = writeRowsParquet(
      join(dir, 'hellaswag-split.parquet'),
      [stringColumn('activity_label'), stringColumn('ctx_a'), stringColumn('ctx_b'), stringListColumn('endings'), int64Column('label')],
      [{ activity_label: 'Roof shingle removal', ctx_a: 'A man is sitting on a roof.', ctx_b: 'he', endings: rows[0].endings, label: 3 }],
    );
    expect(content(await readHellaswag(split, strict()))).toEqual(content(fromText.slice(0, 1)));
  });

  it('reports malformed rows with file, row and column (the test split has no label)', async () => {
    const row = { activity_label: 'Act', ctx: 'Ctx. he', endings: ['e0', 'e1', 'e2', 'e3'], label: '2' };
    const file = writeRowsParquet(join(dir, 'hellaswag-bad.parquet'), HS_COLUMNS, [
      row,
      { ...row, label: '' },
      { ...row, label: 'x' },
      { ...row, endings: ['e0', 'e1', 'e2'] },
      { ...row, ctx: ' ' },
    ]);
    const collector = lenient();
    expect(await readHellaswag(file, collector)).toEqual([{ id: `${file}:row 1`, context: 'Act: Ctx. He', choices: ['e0', 'e1', 'e2', 'e3'], gold: 2 }]);
    expect(collector.rows).toEqual([
      { file, line: 2, reason: 'missing gold label', column: 'label' },
      { file, line: 3, reason: 'gold label "x" is not 0-3', column: 'label' },
      { file, line: 4, reason: 'expected 4 endings (strings), found 3', column: 'endings' },
      { file, line: 5, reason: 'missing context', column: 'ctx' },
    ]);
    await expect(readHellaswag(file, strict())).rejects.toMatchObject({ code: 'MALFORMED_ROW', file, line: 2, field: 'label' });
  });
});

describe('BoolQ and generic multiple choice from Parquet', () => {
  const boolq = [
    { question: 'is the sky blue', passage: 'The sky is blue.', answer: true },
    { question: 'is grass red', passage: 'Grass is green.', answer: false },
    { question: 'no answer', passage: 'P.', answer: null },
    { question: '', passage: 'P.', answer: true },
  ];

  it('BoolQ (google/boolq: question, passage, answer bool) gives the items of the same rows in JSON Lines', async () => {
    const jsonl = join(dir, 'boolq.jsonl');
    writeFileSync(jsonl, boolq.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const file = writeRowsParquet(join(dir, 'boolq.parquet'), [stringColumn('question'), stringColumn('passage'), boolColumn('answer')], boolq);
    const [fromJsonl, fromParquet] = [lenient(), lenient()];
    const items = await readBoolq(file, fromParquet);
    expect(content(items)).toEqual(content(await readBoolq(jsonl, fromJsonl)));
    expect(items.map((i) => [i.id, i.gold])).toEqual([[`${file}:row 1`, 1], [`${file}:row 2`, 0]]);
    expect(fromJsonl.rows.map(({ line, reason }) => ({ line, reason }))).toEqual(fromParquet.rows.map(({ line, reason }) => ({ line, reason })));
    expect(fromParquet.rows).toEqual([
      { file, line: 3, reason: 'missing answer (true/false) or label (0/1)', column: 'answer' },
      { file, line: 4, reason: 'missing question', column: 'question' },
    ]);
    // SuperGLUE's label (int) instead of answer.
    const glue = writeRowsParquet(join(dir, 'boolq-glue.parquet'), [stringColumn('question'), stringColumn('passage'), int64Column('label')], [{ ...boolq[0], label: 1 }]);
    expect((await readBoolq(glue, strict())).map((i) => i.gold)).toEqual([1]);
  });

  it('mc (context, choices list<string>, gold int) gives the items of the same rows in JSON Lines', async () => {
    const rows = [
      { context: 'The capital of France is', choices: ['Paris', 'Rome'], gold: 0 },
      { context: 'x', choices: ['only'], gold: 0 },
      { context: 'Two plus two is', choices: ['three', 'four', 'five'], gold: 1 },
      { context: 'x', choices: ['a', 'b'], gold: 2 },
    ];
    const jsonl = join(dir, 'mc.jsonl');
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const file = writeRowsParquet(join(dir, 'mc.parquet'), [stringColumn('context'), stringListColumn('choices'), int64Column('gold')], rows);
    const collector = lenient();
    const items = await readMcJsonl(file, collector);
    expect(content(items)).toEqual(content(await readMcJsonl(jsonl, lenient())));
    expect(items).toHaveLength(2);
    expect(collector.rows).toEqual([
      { file, line: 2, reason: 'expected 2-26 choices, found 1', column: 'choices' },
      { file, line: 4, reason: 'gold 2 is not an index into the 2 choices', column: 'gold' },
    ]);
  });
});
