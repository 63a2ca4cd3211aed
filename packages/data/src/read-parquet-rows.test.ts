// readParquetRows: whole rows of several columns, nested ones included, in the
// layouts of Hugging Face datasets (here allenai/ai2_arc's), with the limits and
// errors of the documents reader.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readParquetRows, type ParquetRow, type ReadParquetRowsOptions } from './read-parquet-rows.js';
import { errorOf } from './testing/error-of.js';
import { stringColumn, stringListSchema, stringSchema, writeParquet, type SchemaElement, type TestCodec } from './testing/parquet.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-parquet-rows-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rows(file: string, options: ReadParquetRowsOptions): Promise<ParquetRow[]> {
  const out: ParquetRow[] = [];
  for await (const row of readParquetRows(file, options)) out.push(row);
  return out;
}

// allenai/ai2_arc: id, question, choices {text: list<string>, label: list<string>}, answerKey; plus an INT64 and a BOOLEAN.
const ARC_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 6 },
  stringSchema('id'),
  stringSchema('question'),
  { name: 'choices', repetition_type: 'OPTIONAL', num_children: 2 },
  ...stringListSchema('text'),
  ...stringListSchema('label'),
  stringSchema('answerKey'),
  { name: 'grade', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'easy', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
];
const arcRows = [
  { id: 'q1', question: 'Which is a mammal?', choices: { text: ['Zebrafish', 'Whale', 'Frog'], label: ['A', 'B', 'C'] }, answerKey: 'B', grade: 4n, easy: true },
  { id: 'q2', question: 'Pick two.', choices: { text: ['one', null, 'two'], label: ['1', '2', '3'] }, answerKey: '3', grade: 5n, easy: false },
  { id: 'q3', question: null, choices: null, answerKey: null, grade: null, easy: null },
];

function writeArc(name: string, codec: TestCodec = 'SNAPPY'): { file: string; bytes: Buffer } {
  const file = join(tmp, name);
  const columnData = Object.keys(arcRows[0]).map((column) => ({ name: column, data: arcRows.map((r) => r[column as keyof (typeof arcRows)[0]]) }));
  return { file, bytes: writeParquet(file, columnData, { codec, rowGroupSize: 2, schema: ARC_SCHEMA }) };
}

describe('readParquetRows', () => {
  it('reads the requested columns of each row as plain values: structs, lists, numbers, booleans, nulls', async () => {
    const { file } = writeArc('arc.parquet');
    const read = await rows(file, { columns: ['question', 'choices', 'answerKey', 'grade', 'easy'] });
    expect(read.map((r) => [r.index, r.line])).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(read.map((r) => r.values)).toEqual(arcRows.map(({ id: _id, grade, ...r }) => ({ ...r, grade: grade === null ? null : Number(grade) })));
    // Alternatives: the ones present are read; columns not asked for are not.
    const answers = await rows(file, { columns: [['answer', 'answerKey'], 'id'] });
    expect(answers.map((r) => r.values)).toEqual(arcRows.map((r) => ({ answerKey: r.answerKey, id: r.id })));
  });

  it('keeps binary cells as bytes and an INT64 beyond 2^53 as a bigint', async () => {
    const file = join(tmp, 'types.parquet');
    writeParquet(file, [
      { name: 'blob', data: [Uint8Array.of(1, 2, 3)], type: 'BYTE_ARRAY' },
      { name: 'big', data: [2n ** 60n], type: 'INT64' },
    ]);
    expect((await rows(file, { columns: ['blob', 'big'] }))[0].values).toEqual({ blob: Uint8Array.of(1, 2, 3), big: 2n ** 60n });
  });

  it('a missing column is MISSING_FIELD naming the columns present and the ones expected', async () => {
    const { file } = writeArc('arc-missing.parquet');
    const error = await errorOf(rows(file, { columns: ['question', 'choices', 'answer'] }));
    expect(error).toMatchObject({ code: 'MISSING_FIELD', file, field: 'answer' });
    expect(error.message).toBe(
      `${file}: no column "answer" in this Parquet file (columns: id, question, choices, answerKey, grade, easy); expected the columns question, choices, answer`,
    );
    const either = await errorOf(rows(file, { columns: ['question', ['answer', 'label']] }));
    expect(either.message).toContain(': no column "answer" or "label" in this Parquet file');
    expect(await errorOf(rows(file, { columns: [] }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'columns' });
  });

  it('refuses invalid UTF-8 in a nested string naming the row and column, or replaces it', async () => {
    const { bytes } = writeArc('arc-utf8.parquet', 'UNCOMPRESSED');
    const at = bytes.indexOf(Buffer.from('Zebrafish'));
    expect(at).toBeGreaterThan(0);
    const broken = Buffer.from(bytes);
    broken[at] = 0xff;
    const file = join(tmp, 'arc-bad-utf8.parquet');
    writeFileSync(file, broken);
    const error = await errorOf(rows(file, { columns: ['choices'] }));
    expect(error).toMatchObject({ code: 'INVALID_UTF8', file, line: 1, field: 'choices' });
    expect(error.message).toBe(
      `${file}: row 1: column "choices" is not valid UTF-8 (byte 0xff at byte 1); set encodingErrors to "replace" to read such bytes as U+FFFD`,
    );
    const replaced = await rows(file, { columns: ['choices'], encodingErrors: 'replace' });
    expect(replaced[0].values.choices).toEqual({ text: ['\uFFFDebrafish', 'Whale', 'Frog'], label: ['A', 'B', 'C'] });
  });

  it('applies maxDocumentBytes to each row (all its strings together); rows before the long one are delivered', async () => {
    const file = join(tmp, 'long-row.parquet');
    writeParquet(file, [stringColumn('a', ['12345', '123456']), stringColumn('b', ['12345', '12345'])]);
    const seen: unknown[] = [];
    const error = await errorOf(
      (async () => {
        for await (const row of readParquetRows(file, { columns: ['a', 'b'], maxDocumentBytes: 10 })) seen.push(row.values);
      })(),
    );
    expect(seen).toEqual([{ a: '12345', b: '12345' }]);
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', file, line: 2, field: 'b', limit: 10 });
    expect(error.message).toBe(`${file}: row 2: the row holds more than 10 bytes of text (maxDocumentBytes 10), passed in column "b"`);
    expect(await rows(file, { columns: ['a', 'b'], maxDocumentBytes: 11 })).toHaveLength(2);
  });

  it('a file that is not Parquet, a FIFO and a missing file are typed errors before any row', async () => {
    const fake = join(tmp, 'fake.parquet');
    writeFileSync(fake, 'question,answer\n');
    expect(await errorOf(rows(fake, { columns: ['question'] }))).toMatchObject({ code: 'MALFORMED_PARQUET', file: fake });
    expect(await errorOf(rows(join(tmp, 'none.parquet'), { columns: ['question'] }))).toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await errorOf(rows(tmp, { columns: ['question'] }))).toMatchObject({ code: 'NOT_A_REGULAR_FILE', file: tmp });
  });
});
