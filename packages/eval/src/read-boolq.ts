// BoolQ-style yes/no questions, JSON Lines {"question", "passage", "answer":
// true|false} as released by Google (SuperGLUE's {"label": 0|1} is accepted too).
// Prompt of the harness's boolq task: "{passage}\nQuestion: {question}?\nAnswer:"
// with continuations " no" and " yes" (gold 1 = yes).
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import { readJsonl } from './read-jsonl.js';
import type { TaskReadOptions } from './read-text-lines.js';

export function boolqPrompt(passage: string, question: string): string {
  return `${passage}\nQuestion: ${question}?\nAnswer:`;
}

export async function readBoolq(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readJsonl(file, collector, ({ line, value }) => {
    const { question, passage } = value;
    if (typeof question !== 'string' || question.trim() === '') {
      collector.report(file, line, 'missing question');
      return;
    }
    if (typeof passage !== 'string' || passage.trim() === '') {
      collector.report(file, line, 'missing passage');
      return;
    }
    let gold: number;
    if (typeof value.answer === 'boolean') gold = value.answer ? 1 : 0;
    else if (value.label === 0 || value.label === 1) gold = value.label;
    else if (value.answer === undefined && value.label === undefined) {
      collector.report(file, line, 'missing answer (true/false) or label (0/1)');
      return;
    } else {
      collector.report(file, line, `answer ${JSON.stringify(value.answer ?? value.label)} is not true/false or 0/1`);
      return;
    }
    items.push({ id: `${file}:${line}`, context: boolqPrompt(passage, question), choices: ['no', 'yes'], gold });
  }, options);
  return items;
}
