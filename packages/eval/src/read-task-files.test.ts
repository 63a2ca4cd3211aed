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
import { ARC_DIR, HELLASWAG_FILE, tempDir } from './testing/paths.js';

const lenient = () => new MalformedRowCollector(false);

describe('ARC reader', () => {
  it('reads the fixture: 570 ARC-Easy dev items with 3-5 choices, digit labels resolved', async () => {
    const items = await readArc(join(ARC_DIR, 'ARC-Easy-dev.jsonl'), new MalformedRowCollector(true));
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

  it('reports bad rows by line: wrong choice count, unknown answerKey, missing answer, bad JSON, bad UTF-8', async () => {
    const file = join(tempDir(), 'arc.jsonl');
    const q = (choices: string[], answerKey?: string) =>
      JSON.stringify({ question: { stem: 'Why?', choices: choices.map((text, i) => ({ text, label: 'ABCDEF'[i] })) }, answerKey });
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${q(['a', 'b', 'c', 'd'], 'B')}\n${q(['a', 'b'], 'A')}\n${q(['a', 'b', 'c'], 'E')}\n${q(['a', 'b', 'c'])}\n{oops\n`),
        Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]),
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
      [6, 'row is not valid UTF-8'],
    ]);
  });
});

describe('HellaSwag reader', () => {
  it('builds the harness query from the six-line layout, capitalising the recovered ctx_b', async () => {
    const items = await readHellaswag(HELLASWAG_FILE, new MalformedRowCollector(true));
    expect(items).toHaveLength(2000);
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
    writeFileSync(join(dir, 'b.txt'), Buffer.from([0x61, 0x0a, 0xff, 0x0a]));
    expect(await readLossDocuments(join(dir, 'b.txt'), collector)).toEqual([]);
    expect(collector.rows.at(-1)).toEqual({ file: join(dir, 'b.txt'), line: 2, reason: 'line is not valid UTF-8' });
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
