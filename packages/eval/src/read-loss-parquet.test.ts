// Loss tasks on Parquet files (the format of Hugging Face datasets) and the
// text field / column option of loss tasks.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { EvalError } from './eval-error.js';
import { evaluateTasks, type LossTaskResult } from './evaluate-tasks.js';
import { MalformedRowCollector } from './malformed-rows.js';
import { readLossDocuments } from './read-loss-documents.js';
import { parseTaskSpec } from './task-spec.js';
import { tempDir, TINYSTORIES_FILE } from './testing/paths.js';
import { ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const dir = tempDir('layerprune-eval-parquet-');
// The first 30 held-out TinyStories paragraphs as documents.
const stories = readFileSync(TINYSTORIES_FILE, 'utf8')
  .split(/\n\s*\n/)
  .map((p) => p.trim())
  .filter((p) => p !== '')
  .slice(0, 30);

function writeParquet(name: string, columns: Record<string, (string | null)[]>, rowGroupSize = 10): string {
  const file = join(dir, name);
  const columnData = Object.entries(columns).map(([column, data]) => ({ name: column, data, type: 'STRING' as const, nullable: true }));
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize })));
  return file;
}

async function evalError(promise: Promise<unknown>): Promise<EvalError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvalError);
  return error as EvalError;
}

describe('loss documents from Parquet', () => {
  it('one document per row of the "text" column, ids naming the row; another column with `field`', async () => {
    const titles = stories.map((_, i) => `story ${i + 1}`);
    const file = writeParquet('stories.parquet', { title: titles, text: stories });
    const docs = await readLossDocuments(file, new MalformedRowCollector(true));
    expect(docs.map((d) => d.text)).toEqual(stories);
    expect(docs[12].id).toBe(`${file}:row 13`);
    expect((await readLossDocuments(file, new MalformedRowCollector(true), { field: 'title' })).map((d) => d.text)).toEqual(titles);
    // Found by its magic bytes too, whatever its name.
    const noName = join(dir, 'stories.bin');
    writeFileSync(noName, readFileSync(file));
    expect((await readLossDocuments(noName, new MalformedRowCollector(true))).length).toBe(30);
  });

  it('a missing column, a file that is not Parquet and an all-null column are typed errors naming the file', async () => {
    const file = writeParquet('content.parquet', { id: ['a', 'b'], content: ['x', 'y'] });
    const missing = await evalError(readLossDocuments(file, new MalformedRowCollector(false)));
    expect(missing).toMatchObject({ code: 'MISSING_FIELD', file, field: 'text' });
    expect(missing.message).toBe(`${file}: no column "text" in this Parquet file (columns: id, content); choose the text column with the field option (--field)`);
    const fake = join(dir, 'fake.parquet');
    writeFileSync(fake, 'plain text\n');
    expect(await evalError(readLossDocuments(fake, new MalformedRowCollector(false)))).toMatchObject({ code: 'MALFORMED_PARQUET', file: fake });
    const nulls = writeParquet('nulls.parquet', { text: [null, null] });
    expect(await evalError(readLossDocuments(nulls, new MalformedRowCollector(false)))).toMatchObject({ code: 'EMPTY_TASK', file: nulls });
  });

  it('the field option applies to JSON Lines loss files too', async () => {
    const file = join(dir, 'body.jsonl');
    writeFileSync(file, '{"body":"first text"}\n{"text":"no body"}\n{"body":"second"}\n');
    const collector = new MalformedRowCollector(false);
    expect((await readLossDocuments(file, collector, { field: 'body' })).map((d) => d.text)).toEqual(['first text', 'second']);
    expect(collector.rows).toEqual([{ file, line: 2, reason: 'missing "body" (a string)' }]);
  });
});

describe('evaluateTasks with a Parquet loss task', () => {
  it('gives exactly the loss of the same documents as JSON Lines, and records the text field', async () => {
    const tok = new ToyTokenizer();
    const model = new ToyCausalLm(tok.vocabSize, 64);
    const parquet = writeParquet('heldout.parquet', { content: stories });
    const jsonl = join(dir, 'heldout.jsonl');
    writeFileSync(jsonl, stories.map((content) => JSON.stringify({ content })).join('\n') + '\n');
    const run = (file: string): Promise<LossTaskResult> =>
      evaluateTasks(model, tok, [parseTaskSpec(`loss:${file}`)], { textField: 'content' }).then((r) => r.results[0] as LossTaskResult);
    const [fromParquet, fromJsonl] = [await run(parquet), await run(jsonl)];
    expect(fromParquet.loss.documents).toBe(30);
    expect(fromParquet.loss.tokens).toBe(fromJsonl.loss.tokens);
    expect(fromParquet.loss.nllSum).toBe(fromJsonl.loss.nllSum);
    expect(fromParquet.loss.tokens).toBeGreaterThan(1000);
    const report = await evaluateTasks(model, tok, [parseTaskSpec(`loss:${parquet}`)], { textField: 'content', limit: 2 });
    expect(report.config.textField).toBe('content');
    await expect(evaluateTasks(model, tok, [parseTaskSpec(`loss:${parquet}`)], { textField: '' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'textField',
    });
  });
});
