// ARC (AI2 Reasoning Challenge) JSON Lines: {"question": {"stem", "choices":
// [{"text", "label"}]}, "answerKey"} as released by AI2; the flat Hugging Face
// form {"question": "...", "choices": {"text": [], "label": []}} is accepted too.
// 3 to 5 choices, labels letters or digits. Prompt as in the harness's arc_easy /
// arc_challenge: "Question: {stem}\nAnswer:" with " {choice text}" continuations.
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import { readJsonl } from './read-jsonl.js';
import type { TaskReadOptions } from './read-text-lines.js';

export const ARC_MIN_CHOICES = 3;
export const ARC_MAX_CHOICES = 5;

export function arcPrompt(stem: string): string {
  return `Question: ${stem}\nAnswer:`;
}

export async function readArc(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readJsonl(file, collector, ({ line, value }) => {
    const q = value.question;
    const nested = q !== null && typeof q === 'object' ? (q as Record<string, unknown>) : null;
    const stem = nested ? nested.stem : q;
    const rawChoices = nested ? nested.choices : value.choices;
    let texts: unknown[] = [];
    let labels: unknown[] = [];
    if (Array.isArray(rawChoices)) {
      texts = rawChoices.map((c) => (c as Record<string, unknown> | null)?.text);
      labels = rawChoices.map((c) => (c as Record<string, unknown> | null)?.label);
    } else if (rawChoices !== null && typeof rawChoices === 'object') {
      const r = rawChoices as Record<string, unknown>;
      texts = Array.isArray(r.text) ? r.text : [];
      labels = Array.isArray(r.label) ? r.label : [];
    }
    if (typeof stem !== 'string' || stem.trim() === '') {
      collector.report(file, line, 'missing question.stem');
      return;
    }
    if (texts.length < ARC_MIN_CHOICES || texts.length > ARC_MAX_CHOICES || labels.length !== texts.length) {
      collector.report(file, line, `expected ${ARC_MIN_CHOICES}-${ARC_MAX_CHOICES} choices with a text and a label each, found ${texts.length}`);
      return;
    }
    if (!texts.every((t) => typeof t === 'string' && t !== '') || !labels.every((l) => typeof l === 'string' && l !== '')) {
      collector.report(file, line, 'every choice needs a non-empty text and label');
      return;
    }
    if (new Set(labels).size !== labels.length) {
      collector.report(file, line, `choice labels are not unique (${labels.join(', ')})`);
      return;
    }
    const answerKey = value.answerKey;
    if (typeof answerKey !== 'string' || answerKey === '') {
      collector.report(file, line, 'missing answerKey');
      return;
    }
    const gold = labels.indexOf(answerKey);
    if (gold < 0) {
      collector.report(file, line, `answerKey "${answerKey}" is not one of the labels ${labels.join(', ')}`);
      return;
    }
    items.push({ id: `${file}:${line}`, context: arcPrompt(stem), choices: texts as string[], gold });
  }, options);
  return items;
}
