// A generic multiple-choice format for users' own tasks, JSON Lines
// {"context": "...", "choices": ["...", ...], "gold": <index>}. Each choice is
// scored as the continuation " " + choice (the harness's default target
// delimiter), so write the context without a trailing space. A Parquet file holds
// the same fields as columns: context, choices (list<string>), gold (int).
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import type { TaskReadOptions } from './read-text-lines.js';
import { readTaskRows, showValue } from './read-task-rows.js';

export const MC_MAX_CHOICES = 26;

/** The columns of a Parquet multiple-choice file. */
export const MC_COLUMNS = ['context', 'choices', 'gold'] as const;

export async function readMcJsonl(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readTaskRows(file, collector, MC_COLUMNS, ({ id, value, report }) => {
    const { context, choices, gold } = value;
    if (typeof context !== 'string') {
      report('missing context (a string)', 'context');
      return;
    }
    if (!Array.isArray(choices) || choices.length < 2 || choices.length > MC_MAX_CHOICES) {
      report(`expected 2-${MC_MAX_CHOICES} choices, found ${Array.isArray(choices) ? choices.length : 'none'}`, 'choices');
      return;
    }
    if (!choices.every((c) => typeof c === 'string' && c !== '')) {
      report('every choice must be a non-empty string', 'choices');
      return;
    }
    if (gold === undefined || gold === null) {
      report('missing gold', 'gold');
      return;
    }
    if (typeof gold !== 'number' || !Number.isInteger(gold) || gold < 0 || gold >= choices.length) {
      report(`gold ${showValue(gold)} is not an index into the ${choices.length} choices`, 'gold');
      return;
    }
    items.push({ id, context, choices: choices as string[], gold });
  }, options);
  return items;
}
