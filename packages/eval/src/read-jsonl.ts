// JSON Lines task files: one JSON object per non-blank line. Lines that are not
// valid UTF-8 or not a JSON object are reported with their line number; the
// others go to `visit` in file order, so every problem is reported in line order.
import type { MalformedRowCollector } from './malformed-rows.js';
import { readTextLines } from './read-text-lines.js';

export interface JsonlRow {
  line: number;
  value: Record<string, unknown>;
}

export async function readJsonl(file: string, collector: MalformedRowCollector, visit: (row: JsonlRow) => void): Promise<void> {
  for (const { line, text, valid } of await readTextLines(file)) {
    if (text.trim() === '') continue;
    if (!valid) {
      collector.report(file, line, 'row is not valid UTF-8');
      continue;
    }
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
