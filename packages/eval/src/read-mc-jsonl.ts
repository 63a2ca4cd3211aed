// A generic multiple-choice format for users' own tasks, JSON Lines
// {"context": "...", "choices": ["...", ...], "gold": <index>}. Each choice is
// scored as the continuation " " + choice (the harness's default target
// delimiter), so write the context without a trailing space.
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import { readJsonl } from './read-jsonl.js';
import type { TaskReadOptions } from './read-text-lines.js';

export const MC_MAX_CHOICES = 26;

export async function readMcJsonl(file: string, collector: MalformedRowCollector, options: TaskReadOptions = {}): Promise<McItem[]> {
  const items: McItem[] = [];
  await readJsonl(file, collector, ({ line, value }) => {
    const { context, choices, gold } = value;
    if (typeof context !== 'string') {
      collector.report(file, line, 'missing context (a string)');
      return;
    }
    if (!Array.isArray(choices) || choices.length < 2 || choices.length > MC_MAX_CHOICES) {
      collector.report(file, line, `expected 2-${MC_MAX_CHOICES} choices, found ${Array.isArray(choices) ? choices.length : 'none'}`);
      return;
    }
    if (!choices.every((c) => typeof c === 'string' && c !== '')) {
      collector.report(file, line, 'every choice must be a non-empty string');
      return;
    }
    if (gold === undefined || gold === null) {
      collector.report(file, line, 'missing gold');
      return;
    }
    if (typeof gold !== 'number' || !Number.isInteger(gold) || gold < 0 || gold >= choices.length) {
      collector.report(file, line, `gold ${JSON.stringify(gold)} is not an index into the ${choices.length} choices`);
      return;
    }
    items.push({ id: `${file}:${line}`, context, choices: choices as string[], gold });
  }, options);
  return items;
}
