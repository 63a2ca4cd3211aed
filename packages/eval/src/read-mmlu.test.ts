import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedRowCollector } from './malformed-rows.js';
import { loadMmluTask, readMmluFile } from './read-mmlu.js';
import { MMLU_DIR, tempDir } from './testing/paths.js';

describe('MMLU reader', () => {
  it('reads every question of the fixture (counts from its SOURCE.txt: 285 dev, 14,042 test)', async () => {
    const collector = new MalformedRowCollector(true);
    const test = await loadMmluTask(MMLU_DIR, collector, { shots: 0 });
    expect(test.subjects).toHaveLength(57);
    expect(test.items).toHaveLength(14042);
    const dev = await loadMmluTask(MMLU_DIR, collector, { shots: 0, split: 'dev' });
    expect(dev.items).toHaveLength(285);
    expect(collector.rows).toEqual([]);
  });

  it('keeps line breaks inside quoted fields exactly, including CRLF', async () => {
    const rows = await readMmluFile(join(MMLU_DIR, 'dev', 'college_mathematics_dev.csv'), 'college_mathematics', new MalformedRowCollector(true));
    const q = rows.find((r) => r.question.startsWith('Let A be a real 2x2 matrix'));
    expect(q?.question).toContain('must be true?\r\nI. All of the entries');
    const logic = await readMmluFile(join(MMLU_DIR, 'dev', 'formal_logic_dev.csv'), 'formal_logic', new MalformedRowCollector(true));
    expect(logic[2].question).toBe(' Select the best English interpretation of the given arguments in predicate logic.\nDm\n(∀x)(Wx ⊃ ~Dx)\n(∀x)Wx ∨ Ag\t/ (∃x)Ax');
    expect(logic[2].answer).toBe(3);
  });

  it('accepts the original headerless layout with letter answers', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test', 'toy_subject_test.csv'), 'What is 1+1?,1,2,3,4,B\n"Pick ""C""",a,b,c,d,C\n');
    const task = await loadMmluTask(dir, new MalformedRowCollector(true), { shots: 0 });
    expect(task.items.map((i) => i.gold)).toEqual([1, 2]);
    expect(task.items[1].context).toContain('Pick "C"\nA. a\n');
    expect(task.items[0].context.startsWith('The following are multiple choice questions (with answers) about toy subject.\n\n')).toBe(true);
  });

  it('reports malformed rows with file and line and skips them; strict refuses the first', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'test'));
    const file = join(dir, 'test', 'bad_test.csv');
    const good = 'Fine question,a,b,c,d,0\n';
    const bytes = Buffer.concat([
      Buffer.from('question,choice0,choice1,choice2,choice3,answer\n' + good), // lines 1-2
      Buffer.from('Missing answer,a,b,c,d,\n'), // line 3
      Buffer.from('Too few,a,b,c,1\n'), // line 4
      Buffer.from('"Multi\nline",a,b,c,d,7\n'), // lines 5-6, answer out of range
      Buffer.from(',a,b,c,d,1\n'), // line 7: no question
      Buffer.from(good), // line 8
    ]);
    writeFileSync(file, bytes);
    const collector = new MalformedRowCollector(false);
    const task = await loadMmluTask(dir, collector, { shots: 0 });
    expect(task.items.map((i) => i.id)).toEqual([`${file}:2`, `${file}:8`]);
    expect(collector.rows).toEqual([
      { file, line: 3, reason: 'missing answer' },
      { file, line: 4, reason: 'expected 6 fields (question, 4 choices, answer), found 5' },
      { file, line: 5, reason: 'answer "7" is not one of 0-3 or A-D' },
      { file, line: 7, reason: 'missing question' },
    ]);
    await expect(loadMmluTask(dir, new MalformedRowCollector(true), { shots: 0 })).rejects.toMatchObject({
      code: 'MALFORMED_ROW',
      file,
      line: 3,
      message: `${file}:3: missing answer`,
    });
  });

  it('stops at invalid UTF-8 with file and line, even when not strict; encodingErrors "replace" reads it as U+FFFD', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'test'));
    const file = join(dir, 'test', 'latin1_test.csv');
    writeFileSync(file, Buffer.concat([Buffer.from('One,a,b,c,d,0\n"Two\nlines",a,b,c,d,1\nCaf'), Buffer.from([0xe9]), Buffer.from(',a,b,c,d,2\n')]));
    await expect(loadMmluTask(dir, new MalformedRowCollector(false), { shots: 0 })).rejects.toMatchObject({
      name: 'EvalError',
      code: 'INVALID_UTF8',
      file,
      line: 4,
      message: expect.stringMatching(new RegExp(`^${file}:4: not valid UTF-8`)),
    });
    const task = await loadMmluTask(dir, new MalformedRowCollector(true), { shots: 0, encodingErrors: 'replace' });
    expect(task.items.map((i) => i.id)).toEqual([`${file}:1`, `${file}:2`, `${file}:4`]);
    expect(task.items[2].context).toContain('Caf\uFFFD\nA. a');
  });

  it('refuses a CSV line over maxDocumentBytes and a directory where a file should be', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'test'));
    const file = join(dir, 'test', 'long_test.csv');
    writeFileSync(file, `Short,a,b,c,d,0\n${'x'.repeat(300)},a,b,c,d,1\n`);
    await expect(loadMmluTask(dir, new MalformedRowCollector(false), { shots: 0, maxDocumentBytes: 256 })).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_LARGE',
      file,
      line: 2,
      limit: 256,
    });
    expect((await loadMmluTask(dir, new MalformedRowCollector(true), { shots: 0 })).items).toHaveLength(2);
    mkdirSync(join(dir, 'test', 'dir_test.csv'));
    await expect(loadMmluTask(dir, new MalformedRowCollector(false), { shots: 0 })).rejects.toMatchObject({
      code: 'NOT_A_REGULAR_FILE',
      file: join(dir, 'test', 'dir_test.csv'),
    });
  });

  it('filters subjects and applies --limit per subject, first N or seeded sample', async () => {
    const collector = new MalformedRowCollector(true);
    const subjects = ['anatomy', 'virology'];
    const first = await loadMmluTask(MMLU_DIR, collector, { shots: 0, subjects, limit: 3 });
    expect(first.items.map((i) => i.id.split(':').pop())).toEqual(['2', '3', '4', '2', '3', '4']);
    const a = await loadMmluTask(MMLU_DIR, collector, { shots: 0, subjects, limit: 3, sample: true, seed: 5 });
    const b = await loadMmluTask(MMLU_DIR, collector, { shots: 0, subjects, limit: 3, sample: true, seed: 5 });
    expect(a.items.map((i) => i.id)).toEqual(b.items.map((i) => i.id));
    expect(a.items.map((i) => i.id)).not.toEqual(first.items.map((i) => i.id));
    await expect(loadMmluTask(MMLU_DIR, collector, { subjects: ['astrology'] })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
