import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MalformedRowCollector } from './malformed-rows.js';
import { loadMmluTask } from './read-mmlu.js';
import { MMLU_DIR } from './testing/paths.js';

describe('MMLU prompt (harness mmlu format)', () => {
  it('pins the full 2-shot prompt of the first abstract_algebra test question, byte for byte', async () => {
    const task = await loadMmluTask(MMLU_DIR, new MalformedRowCollector(true), { shots: 2, subjects: ['abstract_algebra'], limit: 1 });
    // Written by hand from dev/abstract_algebra_dev.csv rows 1-2 (answers 1 = B, 1 = B) and
    // test/abstract_algebra_test.csv row 1, in the format of lm-evaluation-harness's mmlu tasks:
    // description, then per shot "<question>\nA. ..\nD. ..\nAnswer: <letter>\n\n", then the question.
    const expected =
      'The following are multiple choice questions (with answers) about abstract algebra.\n\n' +
      'Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\n' +
      'A. 0\nB. 1\nC. 2\nD. 3\n' +
      'Answer: B\n\n' +
      'Statement 1 | If aH is an element of a factor group, then |aH| divides |a|. Statement 2 | If H and K are subgroups of G then HK is a subgroup of G.\n' +
      'A. True, True\nB. False, False\nC. True, False\nD. False, True\n' +
      'Answer: B\n\n' +
      'Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n' +
      'A. 0\nB. 4\nC. 2\nD. 6\n' +
      'Answer:';
    expect(task.items).toHaveLength(1);
    expect(Buffer.from(task.items[0].context, 'utf8').equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(task.items[0]).toMatchObject({
      choices: ['A', 'B', 'C', 'D'],
      gold: 1,
      group: 'abstract_algebra',
      id: `${join(MMLU_DIR, 'test', 'abstract_algebra_test.csv')}:2`,
    });
    expect(task.subjects).toEqual([
      { subject: 'abstract_algebra', file: join(MMLU_DIR, 'test', 'abstract_algebra_test.csv'), items: 1, shots: 2 },
    ]);
  });

  it('0-shot is the header and the question; shots never include the question when the dev split is evaluated', async () => {
    const zero = await loadMmluTask(MMLU_DIR, new MalformedRowCollector(true), { shots: 0, subjects: ['abstract_algebra'], limit: 1 });
    expect(zero.items[0].context).toBe(
      'The following are multiple choice questions (with answers) about abstract algebra.\n\n' +
        'Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\nA. 0\nB. 4\nC. 2\nD. 6\nAnswer:',
    );
    const dev = await loadMmluTask(MMLU_DIR, new MalformedRowCollector(true), { split: 'dev', shots: 5, subjects: ['abstract_algebra'] });
    expect(dev.items).toHaveLength(5);
    for (const item of dev.items) expect(item.context.split('\nAnswer: ').length - 1).toBe(4);
  });
});
