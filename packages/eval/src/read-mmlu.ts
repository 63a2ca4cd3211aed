// MMLU in the Hendrycks CSV layout: <dir>/dev/<subject>_dev.csv and
// <dir>/test/<subject>_test.csv (or both side by side in one folder). Rows are
// question, four choices, answer. The original release has no header and a letter
// answer; exports from the Hugging Face dataset (like the bundled fixture) carry a
// header `question,choice0,choice1,choice2,choice3,answer` and a 0-based index.
// Both are accepted, file by file.
//
// Or one Parquet file of the Hugging Face dataset (cais/mmlu, e.g.
// all/test-00000-of-00001.parquet): columns question, subject, choices
// (list<string>), answer (int). Its rows are the split evaluated, grouped by
// subject; the shots come from the dev file beside it (dev-*.parquet), as the
// harness takes them from the dev split.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EvalError } from './eval-error.js';
import type { MalformedRowCollector } from './malformed-rows.js';
import { mmluPrompt, type MmluQuestion } from './mmlu-prompt.js';
import type { McItem } from './multiple-choice.js';
import { parseCsvLines } from './parse-csv.js';
import { readTextLines, type TaskReadOptions } from './read-text-lines.js';
import { isParquetTaskFile, readParquetTaskRows, showValue } from './read-task-rows.js';
import { selectItems, type SelectOptions } from './select-items.js';

export type MmluSplit = 'test' | 'val' | 'dev';

export interface MmluTaskOptions extends SelectOptions, TaskReadOptions {
  /** Split to evaluate. Default 'test'. (A Parquet file is the split it holds.) */
  split?: MmluSplit;
  /** Solved dev questions before each question (first k in file order). Default 5. */
  shots?: number;
  /** Only these subjects (file-name form, e.g. "high_school_physics"). */
  subjects?: readonly string[];
}

export interface MmluSubjectInfo {
  subject: string;
  /** The subject's CSV file, or the Parquet file holding it. */
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
    const answer = parseAnswer(raw);
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

/** The columns of a Parquet MMLU file (cais/mmlu). */
export const MMLU_COLUMNS = ['question', 'subject', 'choices', 'answer'] as const;

/** The 0-based answer of a CSV field or a Parquet cell (0-3, or a letter A-D), or undefined. */
function parseAnswer(raw: string): number | undefined {
  return /^[0-3]$/.test(raw) ? Number(raw) : LETTER_INDEX[raw.toUpperCase()];
}

/** Reads one Parquet MMLU file (every subject in it, file order); bad rows go to the collector naming row and column. */
export async function readMmluParquet(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<MmluQuestion[]> {
  const questions: MmluQuestion[] = [];
  await readParquetTaskRows(file, collector, MMLU_COLUMNS, ({ line, value, report }) => {
    const { question, subject, choices } = value;
    if (!Array.isArray(choices) || choices.length !== 4 || !choices.every((c) => typeof c === 'string')) {
      return report(`expected 4 choices (strings), found ${Array.isArray(choices) ? choices.length : 'none'}`, 'choices');
    }
    const raw = typeof value.answer === 'string' ? value.answer.trim() : value.answer === null ? '' : showValue(value.answer);
    if (raw === '') return report('missing answer', 'answer');
    const answer = parseAnswer(raw);
    if (answer === undefined) return report(`answer "${raw}" is not one of 0-3 or A-D`, 'answer');
    if (typeof question !== 'string' || question.trim() === '') return report('missing question', 'question');
    if (typeof subject !== 'string' || subject.trim() === '') return report('missing subject', 'subject');
    questions.push({ subject, question, choices: choices as MmluQuestion['choices'], answer, file, line });
  }, options);
  return questions;
}

const DEV_PARQUET = /^dev(-.*)?\.parquet$/i;

/** The dev split beside a Parquet MMLU file: dev.parquet or dev-*.parquet in its folder (Hugging Face: dev-00000-of-00001.parquet), all shards in name order. */
async function mmluDevParquetFiles(file: string): Promise<string[]> {
  const folder = dirname(file);
  let names: string[] = [];
  try {
    names = await readdir(folder);
  } catch {
    // No folder to list: no dev file, reported below.
  }
  const found = names.filter((n) => DEV_PARQUET.test(n)).sort();
  if (found.length === 0) {
    throw new EvalError(
      'FILE_NOT_FOUND',
      `${file}: no MMLU dev file dev-*.parquet in ${folder} to take the shots from (as in the Hugging Face layout all/dev-00000-of-00001.parquet); ` +
        'put it beside the file, or evaluate with 0 shots (--shots 0)',
      { file, field: 'shots' },
    );
  }
  return found.map((n) => join(folder, n));
}

async function loadMmluParquetTask(file: string, collector: MalformedRowCollector, options: MmluTaskOptions): Promise<MmluTask> {
  const shots = Math.max(0, options.shots ?? 5);
  const all = await readMmluParquet(file, collector, options);
  const subjectsInFile = [...new Set(all.map((q) => q.subject))].sort();
  let subjects = subjectsInFile;
  if (options.subjects && options.subjects.length > 0) {
    const unknown = options.subjects.filter((s) => !subjectsInFile.includes(s));
    if (unknown.length > 0) {
      throw new EvalError('INVALID_OPTION', `${file}: no MMLU subject ${unknown.map((s) => `"${s}"`).join(', ')} in this file`, { file, field: 'subjects' });
    }
    subjects = subjectsInFile.filter((s) => options.subjects!.includes(s));
  }
  const dev: MmluQuestion[] = [];
  if (shots > 0) {
    for (const devFile of await mmluDevParquetFiles(file)) {
      dev.push(...(resolve(devFile) === resolve(file) ? all : await readMmluParquet(devFile, collector, options)));
    }
  }
  const items: McItem[] = [];
  const infos: MmluSubjectInfo[] = [];
  for (const subject of subjects) {
    const questions = selectItems(all.filter((q) => q.subject === subject), options);
    const examples = dev.filter((d) => d.subject === subject);
    for (const q of questions) {
      // When the dev file itself is evaluated, a question is never its own example.
      const shown = examples.filter((d) => resolve(d.file) !== resolve(q.file) || d.line !== q.line).slice(0, shots);
      items.push({ id: `${file}:row ${q.line}`, context: mmluPrompt(subject, shown, q), choices: ['A', 'B', 'C', 'D'], gold: q.answer, group: subject });
    }
    infos.push({ subject, file, items: questions.length, shots: Math.min(shots, examples.length) });
  }
  return { items, subjects: infos };
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

/** MMLU from a directory of CSV files, or from one Parquet file (see the top of this file). */
export async function loadMmluTask(dir: string, collector: MalformedRowCollector, options: MmluTaskOptions = {}): Promise<MmluTask> {
  if (await isParquetTaskFile(dir)) return loadMmluParquetTask(dir, collector, options);
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
