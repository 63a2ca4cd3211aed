import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { firstCharacters } from './evaluate-tasks.js';
import { MalformedRowCollector } from './malformed-rows.js';
import { readArc } from './read-arc.js';
import { readBoolq } from './read-boolq.js';
import { hellaswagPreprocess, hellaswagQuery, pythonCapitalize, readHellaswag } from './read-hellaswag.js';
import { readLossDocuments } from './read-loss-documents.js';
import { readMcJsonl } from './read-mc-jsonl.js';
import { ARC_EASY_DEV, HELLASWAG_FILE, HELLASWAG_ITEMS, tempDir } from './testing/paths.js';

const lenient = () => new MalformedRowCollector(false);

describe('ARC reader', () => {
  it('reads the fixture: 570 ARC-Easy dev items with 3-5 choices, digit labels resolved', async () => {
    const items = await readArc(ARC_EASY_DEV, new MalformedRowCollector(true));
    expect(items).toHaveLength(570);
    expect(items[0]).toMatchObject({
      context: 'Question: Which technology was developed most recently?\nAnswer:',
      choices: ['cellular telephone', 'television', 'refrigerator', 'airplane'],
      gold: 0,
    });
    // Line 9 has labels 1-4 and answerKey "1".
    expect(items[8]).toMatchObject({ choices: ['obtain energy', 'escape predators', 'produce offspring', 'excrete waste'], gold: 0 });
    const counts = new Map<number, number>();
    for (const i of items) counts.set(i.choices.length, (counts.get(i.choices.length) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 3: 1, 4: 567, 5: 2 });
  });

  it('reports bad rows by line: wrong choice count, unknown answerKey, missing answer, bad JSON', async () => {
    const file = join(tempDir(), 'arc.jsonl');
    const q = (choices: string[], answerKey?: string) =>
      JSON.stringify({ question: { stem: 'Why?', choices: choices.map((text, i) => ({ text, label: 'ABCDEF'[i] })) }, answerKey });
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${q(['a', 'b', 'c', 'd'], 'B')}\n${q(['a', 'b'], 'A')}\n${q(['a', 'b', 'c'], 'E')}\n${q(['a', 'b', 'c'])}\n{oops\n`),
        Buffer.from('[]\n'),
        Buffer.from(JSON.stringify({ question: 'Flat?', choices: { text: ['x', 'y', 'z'], label: ['1', '2', '3'] }, answerKey: '3' })),
      ]),
    );
    const collector = lenient();
    const items = await readArc(file, collector);
    expect(items.map((i) => [i.id, i.gold])).toEqual([[`${file}:1`, 1], [`${file}:7`, 2]]);
    expect(collector.rows.map((r) => [r.line, r.reason.split(' (')[0]])).toEqual([
      [2, 'expected 3-5 choices with a text and a label each, found 2'],
      [3, 'answerKey "E" is not one of the labels A, B, C'],
      [4, 'missing answerKey'],
      [5, 'not valid JSON'],
      [6, 'expected a JSON object'],
    ]);
  });

  it('invalid UTF-8 is an INVALID_UTF8 error naming file and line, not a skipped row', async () => {
    const file = join(tempDir(), 'arc-latin1.jsonl');
    const row = (stem: string) => JSON.stringify({ question: { stem, choices: ['a', 'b', 'c'].map((text, i) => ({ text, label: 'ABC'[i] })) }, answerKey: 'A' });
    writeFileSync(file, Buffer.concat([Buffer.from(`${row('fine')}\n${row('also fine')}\n`), Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a])]));
    const error = await readArc(file, lenient()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EvalError', code: 'INVALID_UTF8', file, line: 3 });
    expect((error as Error).message).toMatch(new RegExp(`^${file}:3: not valid UTF-8 \\(byte 0xc3 at byte 2 of the line\\)`));
    const collector = lenient();
    expect(await readArc(file, collector, { encodingErrors: 'replace' })).toHaveLength(2);
    expect(collector.rows).toEqual([{ file, line: 3, reason: expect.stringMatching(/^not valid JSON/) }]);
  });
});

describe('HellaSwag reader', () => {
  it('builds the harness query from the six-line layout, capitalising the recovered ctx_b', async () => {
    const items = await readHellaswag(HELLASWAG_FILE, new MalformedRowCollector(true));
    expect(items).toHaveLength(HELLASWAG_ITEMS);
    // HellaSwag validation item 0: ctx_a "A man is sitting on a roof.", ctx_b "he", label 3.
    expect(items[0]).toMatchObject({
      context: 'Roof shingle removal: A man is sitting on a roof. He',
      choices: ['is using wrap to wrap a pair of skis.', 'is ripping level tiles off.', "is holding a rubik's cube.", 'starts pulling up roofing on a roof.'],
      gold: 3,
    });
    expect(items[1].context).toBe('Clean and jerk: A lady walks to a barbell. She bends down and grabs the pole. The lady');
  });

  it('applies the harness preprocess and Python capitalize', () => {
    expect(hellaswagPreprocess(' [header] How to x [title] Do y. [step] Then z ')).toBe(' How to x. Do y. Then z');
    expect(pythonCapitalize('the MAN')).toBe('The man');
    expect(hellaswagQuery('Health: How to relax. Breathe in.')).toBe('Health: How to relax. Breathe in.');
    expect(hellaswagQuery('Sumo: A cartoon is shown. two men', false)).toBe('Sumo: A cartoon is shown. two men');
  });

  it('reads the gzipped layout and reports a bad label and a truncated item', async () => {
    const file = join(tempDir(), 'hs.txt.gz');
    const item = (label: string) => `Act: Ctx. he\n${label}\ne0\ne1\ne2\ne3\n`;
    writeFileSync(file, gzipSync(item('2') + item('x') + item('') + 'Act: Ctx. she\n1\ne0\n'));
    const collector = lenient();
    const items = await readHellaswag(file, collector);
    expect(items).toHaveLength(1);
    expect(collector.rows).toEqual([
      { file, line: 7, reason: 'gold label "x" is not 0-3' },
      { file, line: 13, reason: 'missing gold label (line 2 of the item)' },
      { file, line: 19, reason: 'truncated item: expected 6 lines (context, label, 4 endings), found 3' },
    ]);
  });
});

describe('BoolQ and generic multiple-choice readers', () => {
  it('BoolQ: harness prompt, no/yes choices, answer or label', async () => {
    const file = join(tempDir(), 'boolq.jsonl');
    writeFileSync(
      file,
      [
        { question: 'is the sky blue', passage: 'The sky is blue.', answer: true },
        { question: 'is grass red', passage: 'Grass is green.', label: 0 },
        { question: 'no answer', passage: 'P.' },
        { question: 'odd', passage: 'P.', answer: 'maybe' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const collector = lenient();
    const items = await readBoolq(file, collector);
    expect(items).toEqual([
      { id: `${file}:1`, context: 'The sky is blue.\nQuestion: is the sky blue?\nAnswer:', choices: ['no', 'yes'], gold: 1 },
      { id: `${file}:2`, context: 'Grass is green.\nQuestion: is grass red?\nAnswer:', choices: ['no', 'yes'], gold: 0 },
    ]);
    expect(collector.rows.map((r) => r.line)).toEqual([3, 4]);
  });

  it('generic MC: context, choices, gold; bad gold and too few choices reported', async () => {
    const file = join(tempDir(), 'mc.jsonl');
    writeFileSync(
      file,
      [
        { context: 'The capital of France is', choices: ['Paris', 'Rome'], gold: 0 },
        { context: 'x', choices: ['only'], gold: 0 },
        { context: 'x', choices: ['a', 'b'], gold: 2 },
        { context: 'x', choices: ['a', 'b'] },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n\n',
    );
    const collector = lenient();
    const items = await readMcJsonl(file, collector);
    expect(items).toEqual([{ id: `${file}:1`, context: 'The capital of France is', choices: ['Paris', 'Rome'], gold: 0 }]);
    expect(collector.rows).toEqual([
      { file, line: 2, reason: 'expected 2-26 choices, found 1' },
      { file, line: 3, reason: 'gold 2 is not an index into the 2 choices' },
      { file, line: 4, reason: 'missing gold' },
    ]);
    await expect(readMcJsonl(file, new MalformedRowCollector(true))).rejects.toMatchObject({ code: 'MALFORMED_ROW', line: 2 });
  });

  it('loss documents: one per JSONL line, or the whole text file byte-exact', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c4.jsonl'), '{"text":"one"}\n{"text":"two\\nlines"}\n{"url":"x"}\n');
    const collector = lenient();
    expect((await readLossDocuments(join(dir, 'c4.jsonl'), collector)).map((d) => d.text)).toEqual(['one', 'two\nlines']);
    expect(collector.rows).toEqual([{ file: join(dir, 'c4.jsonl'), line: 3, reason: 'missing "text" (a string)' }]);
    writeFileSync(join(dir, 'a.txt'), 'Line one.\r\n\r\nLine two.\n');
    expect(await readLossDocuments(join(dir, 'a.txt'), collector)).toEqual([{ id: join(dir, 'a.txt'), text: 'Line one.\r\n\r\nLine two.\n' }]);
  });

  it('loss documents: invalid UTF-8, oversized, empty and special files are typed errors naming the file', async () => {
    const dir = tempDir();
    const b = join(dir, 'b.txt');
    writeFileSync(b, Buffer.from([0x61, 0x0a, 0xff, 0x0a]));
    await expect(readLossDocuments(b, lenient())).rejects.toMatchObject({ code: 'INVALID_UTF8', file: b, line: 2, message: expect.stringMatching(/b\.txt:2: not valid UTF-8/) });
    expect(await readLossDocuments(b, lenient(), { encodingErrors: 'replace' })).toEqual([{ id: b, text: 'a\n\uFFFD\n' }]);
    const jsonl = join(dir, 'bad.jsonl.gz');
    writeFileSync(jsonl, gzipSync(Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}\n')])));
    await expect(readLossDocuments(jsonl, lenient())).rejects.toMatchObject({ code: 'INVALID_UTF8', file: jsonl, line: 2 });

    // A text file is one document: its whole size counts against maxDocumentBytes.
    const text = join(dir, 'lines.txt');
    writeFileSync(text, 'line of twenty bytes\n'.repeat(10)); // 21 bytes a line, 210 in all
    expect((await readLossDocuments(text, lenient(), { maxDocumentBytes: 210 }))[0].text).toHaveLength(210);
    const tooLarge = await readLossDocuments(text, lenient(), { maxDocumentBytes: 209 }).catch((e: unknown) => e);
    expect(tooLarge).toMatchObject({ name: 'EvalError', code: 'DOCUMENT_TOO_LARGE', file: text, line: 1, limit: 209 });
    expect((tooLarge as Error).message).toContain('at line 10');

    for (const [name, content] of [['empty.txt', ''], ['blank.txt', ' \n\n'], ['empty.jsonl', ''], ['blank-texts.jsonl', '{"text":""}\n{"text":" "}\n']]) {
      writeFileSync(join(dir, name), content);
      await expect(readLossDocuments(join(dir, name), lenient())).rejects.toMatchObject({ code: 'EMPTY_TASK', file: join(dir, name) });
    }
    await expect(readLossDocuments('/dev/urandom', lenient())).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', file: '/dev/urandom' });
  });

  it('task files: a gzip bomb stops at maxDecompressedBytes and corrupt gzip is DECOMPRESS_FAILED', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'bomb.jsonl.gz');
    writeFileSync(bomb, gzipSync(Buffer.alloc(4 * 1024 * 1024, '{"text":"aaaa"}\n')));
    await expect(readLossDocuments(bomb, lenient(), { maxDecompressedBytes: 1024 * 1024 })).rejects.toMatchObject({
      name: 'EvalError',
      code: 'DECOMPRESSED_TOO_LARGE',
      file: bomb,
      limit: 1024 * 1024,
    });
    const cut = join(dir, 'cut.jsonl.gz');
    const whole = gzipSync(Buffer.from('{"context":"c","choices":["a","b"],"gold":0}\n'.repeat(200)));
    writeFileSync(cut, whole.subarray(0, whole.length - 12));
    await expect(readMcJsonl(cut, lenient())).rejects.toMatchObject({ code: 'DECOMPRESS_FAILED', file: cut });
    await expect(readBoolq(bomb, lenient(), { maxDocumentBytes: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'maxDocumentBytes' });
  });

  it('a missing file is a typed FILE_NOT_FOUND naming it', async () => {
    await expect(readArc('/nonexistent/arc.jsonl', lenient())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', file: '/nonexistent/arc.jsonl' });
  });
});

describe('firstCharacters (loss on a prefix of the text)', () => {
  it('keeps documents in order and cuts the last one without splitting code points', () => {
    expect(firstCharacters(['abc', 'de😀f', 'gh'], 5)).toEqual(['abc', 'de']);
    expect(firstCharacters(['abc', 'de😀f'], 6)).toEqual(['abc', 'de😀']);
    expect(firstCharacters(['abc'], 10)).toEqual(['abc']);
    expect(firstCharacters(['abc'], undefined)).toEqual(['abc']);
    expect(() => firstCharacters(['abc'], 0)).toThrow(/lossMaxChars/);
  });
});
