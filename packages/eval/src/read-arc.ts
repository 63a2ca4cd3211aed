// ARC (AI2 Reasoning Challenge) JSON Lines: {"question": {"stem", "choices":
// [{"text", "label"}]}, "answerKey"} as released by AI2; the flat Hugging Face
// form {"question": "...", "choices": {"text": [], "label": []}} is accepted too.
// 3 to 5 choices, labels letters or digits. Prompt as in the harness's arc_easy /
// arc_challenge: "Question: {stem}\nAnswer:" with " {choice text}" continuations.
// A Parquet file (allenai/ai2_arc) holds the flat form as columns: question,
// choices {text: list, label: list}, answerKey.
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import type { TaskReadOptions } from './read-text-lines.js';
import { readTaskRows } from './read-task-rows.js';

export const ARC_MIN_CHOICES = 3;
export const ARC_MAX_CHOICES = 5;

/** The columns of a Parquet ARC file. */
export const ARC_COLUMNS = ['question', 'choices', 'answerKey'] as const;

export function arcPrompt(stem: string): string {
  return `Question: ${stem}\nAnswer:`;
}

export async function readArc(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readTaskRows(file, collector, ARC_COLUMNS, ({ id, value, report }) => {
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
      report('missing question.stem', 'question');
      return;
    }
    if (texts.length < ARC_MIN_CHOICES || texts.length > ARC_MAX_CHOICES || labels.length !== texts.length) {
      report(`expected ${ARC_MIN_CHOICES}-${ARC_MAX_CHOICES} choices with a text and a label each, found ${texts.length}`, 'choices');
      return;
    }
    if (!texts.every((t) => typeof t === 'string' && t !== '') || !labels.every((l) => typeof l === 'string' && l !== '')) {
      report('every choice needs a non-empty text and label', 'choices');
      return;
    }
    if (new Set(labels).size !== labels.length) {
      report(`choice labels are not unique (${labels.join(', ')})`, 'choices');
      return;
    }
    const answerKey = value.answerKey;
    if (typeof answerKey !== 'string' || answerKey === '') {
      report('missing answerKey', 'answerKey');
      return;
    }
    const gold = labels.indexOf(answerKey);
    if (gold < 0) {
      report(`answerKey "${answerKey}" is not one of the labels ${labels.join(', ')}`, 'answerKey');
      return;
    }
    items.push({ id, context: arcPrompt(stem), choices: texts as string[], gold });
  }, options);
  return items;
}
