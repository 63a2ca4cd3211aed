// JSON Lines task files: one JSON object per non-blank line. Lines that are not a
// JSON object are reported with their line number; the others go to `visit` in
// file order, so every problem is reported in line order. Unreadable files, lines
// over the size limit and invalid UTF-8 are errors (see read-text-lines.ts).
import type { MalformedRowCollector } from './malformed-rows.js';
import { streamTextLines, type TaskReadOptions } from './read-text-lines.js';

export interface JsonlRow {
  line: number;
  value: Record<string, unknown>;
}

export async function readJsonl(
  file: string,
  collector: MalformedRowCollector,
  visit: (row: JsonlRow) => void,
  options: TaskReadOptions = {},
): Promise<void> {
  for await (const { line, text } of streamTextLines(file, options)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      collector.report(file, line, `not valid JSON (${(error as Error).message})`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      collector.report(file, line, 'expected a JSON object');
      continue;
    }
    visit({ line, value: value as Record<string, unknown> });
  }
}
