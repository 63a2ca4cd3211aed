// BoolQ-style yes/no questions, JSON Lines {"question", "passage", "answer":
// true|false} as released by Google (SuperGLUE's {"label": 0|1} is accepted too).
// Prompt of the harness's boolq task: "{passage}\nQuestion: {question}?\nAnswer:"
// with continuations " no" and " yes" (gold 1 = yes). A Parquet file
// (google/boolq) holds the same fields as columns: question, passage, answer
// (bool), or label (0/1) as in SuperGLUE.
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import type { TaskReadOptions } from './read-text-lines.js';
import { readTaskRows, showValue } from './read-task-rows.js';

/** The columns of a Parquet BoolQ file: the answer as `answer` (bool) or `label` (0/1). */
export const BOOLQ_COLUMNS = ['question', 'passage', ['answer', 'label']] as const;

export function boolqPrompt(passage: string, question: string): string {
  return `${passage}\nQuestion: ${question}?\nAnswer:`;
}

export async function readBoolq(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readTaskRows(file, collector, BOOLQ_COLUMNS, ({ id, value, report }) => {
    const { question, passage } = value;
    if (typeof question !== 'string' || question.trim() === '') {
      report('missing question', 'question');
      return;
    }
    if (typeof passage !== 'string' || passage.trim() === '') {
      report('missing passage', 'passage');
      return;
    }
    // A null (an empty Parquet cell) is as missing as an absent field.
    const answer = value.answer ?? undefined;
    const label = value.label ?? undefined;
    let gold: number;
    if (typeof answer === 'boolean') gold = answer ? 1 : 0;
    else if (label === 0 || label === 1) gold = label;
    else if (answer === undefined && label === undefined) {
      report('missing answer (true/false) or label (0/1)', 'answer' in value ? 'answer' : 'label');
      return;
    } else {
      report(`answer ${showValue(answer ?? label)} is not true/false or 0/1`, answer === undefined ? 'label' : 'answer');
      return;
    }
    items.push({ id, context: boolqPrompt(passage, question), choices: ['no', 'yes'], gold });
  }, options);
  return items;
}
