// MMLU in the Hendrycks CSV layout: <dir>/dev/<subject>_dev.csv and
// <dir>/test/<subject>_test.csv (or both side by side in one folder). Rows are
// question, four choices, answer. The original release has no header and a letter
// answer; exports from the Hugging Face dataset (like the bundled fixture) carry a
// header `question,choice0,choice1,choice2,choice3,answer` and a 0-based index.
// Both are accepted, file by file.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EvalError } from './eval-error.js';
import type { MalformedRowCollector } from './malformed-rows.js';
import { mmluPrompt, type MmluQuestion } from './mmlu-prompt.js';
import type { McItem } from './multiple-choice.js';
import { parseCsvLines } from './parse-csv.js';
import { readTextLines, type TaskReadOptions } from './read-text-lines.js';
import { selectItems, type SelectOptions } from './select-items.js';

export type MmluSplit = 'test' | 'val' | 'dev';

export interface MmluTaskOptions extends SelectOptions, TaskReadOptions {
  /** Split to evaluate. Default 'test'. */
  split?: MmluSplit;
  /** Solved dev questions before each question (first k in file order). Default 5. */
  shots?: number;
  /** Only these subjects (file-name form, e.g. "high_school_physics"). */
  subjects?: readonly string[];
}

export interface MmluSubjectInfo {
  subject: string;
  file: string;
  /** Questions kept after --limit. */
  items: number;
  /** Dev questions used as shots (fewer than asked when the dev file is short). */
  shots: number;
}

export interface MmluTask {
  items: McItem[];
  subjects: MmluSubjectInfo[];
}

const LETTER_INDEX: Record<string, number> = { A: 0, B: 1, C: 2, D: 3 };

/** Reads one MMLU CSV file; bad rows go to the collector. */
export async function readMmluFile(
  file: string,
  subject: string,
  collector: MalformedRowCollector,
  options: TaskReadOptions = {},
): Promise<MmluQuestion[]> {
  const records = parseCsvLines(await readTextLines(file, options));
  const questions: MmluQuestion[] = [];
  records.forEach((record, index) => {
    const { fields, line } = record;
    if (index === 0 && fields[0]?.trim().toLowerCase() === 'question' && fields.at(-1)?.trim().toLowerCase() === 'answer') return;
    if (record.error) return collector.report(file, line, record.error);
    if (fields.length !== 6) {
      return collector.report(file, line, `expected 6 fields (question, 4 choices, answer), found ${fields.length}`);
    }
    const raw = fields[5].trim();
    if (raw === '') return collector.report(file, line, 'missing answer');
    const answer = /^[0-3]$/.test(raw) ? Number(raw) : LETTER_INDEX[raw.toUpperCase()];
    if (answer === undefined) return collector.report(file, line, `answer "${raw}" is not one of 0-3 or A-D`);
    if (fields[0].trim() === '') return collector.report(file, line, 'missing question');
    questions.push({
      subject,
      question: fields[0],
      choices: [fields[1], fields[2], fields[3], fields[4]],
      answer,
      file,
      line,
    });
  });
  return questions;
}

/** Every subject's file of one split, sorted by subject. */
export async function listMmluFiles(dir: string, split: MmluSplit): Promise<Map<string, string>> {
  const suffix = `_${split}.csv`;
  const candidates = [join(dir, split), dir];
  for (const folder of candidates) {
    let names: string[];
    try {
      if (!(await stat(folder)).isDirectory()) continue;
      names = await readdir(folder);
    } catch {
      continue;
    }
    const files = names.filter((n) => n.endsWith(suffix)).sort();
    if (files.length > 0) return new Map(files.map((n) => [n.slice(0, -suffix.length), join(folder, n)]));
  }
  throw new EvalError('FILE_NOT_FOUND', `${dir}: no MMLU files *${suffix} in ${join(dir, split)} or ${dir}`, { file: dir, field: split });
}

export async function loadMmluTask(dir: string, collector: MalformedRowCollector, options: MmluTaskOptions = {}): Promise<MmluTask> {
  const split = options.split ?? 'test';
  const shots = Math.max(0, options.shots ?? 5);
  const files = await listMmluFiles(dir, split);
  const devFiles = shots > 0 ? await listMmluFiles(dir, 'dev') : new Map<string, string>();
  let subjects = [...files.keys()];
  if (options.subjects && options.subjects.length > 0) {
    const unknown = options.subjects.filter((s) => !files.has(s));
    if (unknown.length > 0) {
      throw new EvalError('INVALID_OPTION', `${dir}: no MMLU subject ${unknown.map((s) => `"${s}"`).join(', ')} in the ${split} split`, {
        file: dir,
        field: 'subjects',
      });
    }
    subjects = subjects.filter((s) => options.subjects!.includes(s));
  }
  const items: McItem[] = [];
  const infos: MmluSubjectInfo[] = [];
  for (const subject of subjects) {
    const file = files.get(subject)!;
    // Like the harness, --limit applies to each subject (each is a task of its own there).
    const questions = selectItems(await readMmluFile(file, subject, collector, options), options);
    const devFile = devFiles.get(subject);
    const dev = shots > 0 && devFile ? await readMmluFile(devFile, subject, collector, options) : [];
    for (const q of questions) {
      // When the dev split itself is evaluated, a question is never its own example.
      const examples = dev.filter((d) => d.file !== q.file || d.line !== q.line).slice(0, shots);
      items.push({
        id: `${file}:${q.line}`,
        context: mmluPrompt(subject, examples, q),
        choices: ['A', 'B', 'C', 'D'],
        gold: q.answer,
        group: subject,
      });
    }
    infos.push({ subject, file, items: questions.length, shots: Math.min(shots, dev.length) });
  }
  return { items, subjects: infos };
}
