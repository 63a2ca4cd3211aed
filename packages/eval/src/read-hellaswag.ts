// HellaSwag in the six-line text layout used by llama.cpp's `--hellaswag` (and the
// bundled fixture): "<activity_label>: <ctx>", the gold index 0-3, then the four
// endings. The harness builds the query as preprocess(activity_label + ": " +
// ctx_a + " " + ctx_b.capitalize()) and scores " " + preprocess(ending). The text
// layout keeps ctx = ctx_a + " " + ctx_b without the capitalisation; for
// ActivityNet items ctx_b is the lowercase fragment after the last sentence end
// ("... on a roof. he"), so it is recovered and capitalised the way Python's
// str.capitalize() does. WikiHow items have an empty ctx_b and end in a full
// sentence, which this leaves alone.
//
// A Parquet file (Rowan/hellaswag) holds an item per row: activity_label, ctx
// (and ctx_a, ctx_b), endings (list), label (string or int). With ctx_a and
// ctx_b the query is exactly the harness's; with ctx alone, ctx_b is recovered
// as for the text layout.
import type { MalformedRowCollector } from './malformed-rows.js';
import type { McItem } from './multiple-choice.js';
import { readTextLines, type TaskReadOptions } from './read-text-lines.js';
import { isParquetTaskFile, readParquetTaskRows, showValue, type TaskRow } from './read-task-rows.js';

export const HELLASWAG_LINES_PER_ITEM = 6;
export const HELLASWAG_ENDINGS = 4;
/** The columns of a Parquet HellaSwag file: the context as ctx, or as ctx_a and ctx_b. */
export const HELLASWAG_COLUMNS = ['activity_label', ['ctx', 'ctx_a', 'ctx_b'], 'endings', 'label'] as const;

/** The harness's `preprocess` of hellaswag/utils.py. */
export function hellaswagPreprocess(text: string): string {
  let out = text.trim();
  out = out.replaceAll(' [title]', '. ');
  out = out.replace(/\[.*?\]/g, '');
  out = out.replaceAll('  ', ' ');
  return out;
}

/** Python's str.capitalize(): first character upper case, the rest lower case. */
export function pythonCapitalize(text: string): string {
  if (text === '') return text;
  const first = String.fromCodePoint(text.codePointAt(0)!);
  return first.toUpperCase() + text.slice(first.length).toLowerCase();
}

const TRAILING_CTX_B = /^([\s\S]*[.!?]) ([a-z][^.!?]*)$/u;

/** Query of one item from the text layout's first line. */
export function hellaswagQuery(contextLine: string, recoverCtxB = true): string {
  let text = contextLine;
  if (recoverCtxB) {
    const match = TRAILING_CTX_B.exec(text);
    if (match) text = `${match[1]} ${pythonCapitalize(match[2])}`;
  }
  return hellaswagPreprocess(text);
}

/** The item of one Parquet row, or null after reporting it (the checks and reasons of the text layout). */
function hellaswagRowItem({ id, value, report }: TaskRow, recoverCtxB: boolean): McItem | null {
  const raw = value.label ?? '';
  const label = typeof raw === 'string' ? raw.trim() : showValue(raw);
  if (label === '') {
    report('missing gold label', 'label');
    return null;
  }
  if (!/^[0-3]$/.test(label)) {
    report(`gold label "${label}" is not 0-3`, 'label');
    return null;
  }
  const endings = value.endings;
  if (!Array.isArray(endings) || endings.length !== HELLASWAG_ENDINGS || !endings.every((e) => typeof e === 'string')) {
    report(`expected ${HELLASWAG_ENDINGS} endings (strings), found ${Array.isArray(endings) ? endings.length : 'none'}`, 'endings');
    return null;
  }
  const choices = endings.map((e: string) => hellaswagPreprocess(e));
  if (choices.some((e) => e === '')) {
    report('an ending is empty', 'endings');
    return null;
  }
  const { activity_label: activity, ctx, ctx_a: ctxA, ctx_b: ctxB } = value;
  if (typeof activity !== 'string') {
    report('missing activity_label', 'activity_label');
    return null;
  }
  // The harness: preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()).
  const split = typeof ctxA === 'string' && typeof ctxB === 'string';
  const text = split ? `${ctxA}${ctxB}` : typeof ctx === 'string' ? ctx : '';
  if (text.trim() === '') {
    report('missing context', split || !('ctx' in value) ? 'ctx_a' : 'ctx');
    return null;
  }
  const query = split ? hellaswagPreprocess(`${activity}: ${ctxA} ${pythonCapitalize(ctxB)}`) : hellaswagQuery(`${activity}: ${text}`, recoverCtxB);
  return { id, context: query, choices, gold: Number(label) };
}

export async function readHellaswag(
  file: string,
  collector: MalformedRowCollector,
  options: TaskReadOptions & { recoverCtxB?: boolean } = {},
): Promise<McItem[]> {
  const items: McItem[] = [];
  if (await isParquetTaskFile(file)) {
    const { recoverCtxB = true, ...limits } = options;
    await readParquetTaskRows(file, collector, HELLASWAG_COLUMNS, (row) => {
      const item = hellaswagRowItem(row, recoverCtxB);
      if (item) items.push(item);
    }, limits);
    return items;
  }
  const lines = await readTextLines(file, options);
  for (let start = 0; start < lines.length; start += HELLASWAG_LINES_PER_ITEM) {
    const group = lines.slice(start, start + HELLASWAG_LINES_PER_ITEM);
    const line = group[0].line;
    if (group.length < HELLASWAG_LINES_PER_ITEM) {
      collector.report(file, line, `truncated item: expected ${HELLASWAG_LINES_PER_ITEM} lines (context, label, 4 endings), found ${group.length}`);
      continue;
    }
    const label = group[1].text.trim();
    if (label === '') {
      collector.report(file, line, 'missing gold label (line 2 of the item)');
      continue;
    }
    if (!/^[0-3]$/.test(label)) {
      collector.report(file, line, `gold label "${label}" is not 0-3`);
      continue;
    }
    const endings = group.slice(2).map((l) => hellaswagPreprocess(l.text));
    if (endings.some((e) => e === '')) {
      collector.report(file, line, 'an ending is empty');
      continue;
    }
    const query = hellaswagQuery(group[0].text, options.recoverCtxB ?? true);
    if (query === '') {
      collector.report(file, line, 'missing context');
      continue;
    }
    items.push({ id: `${file}:${line}`, context: query, choices: endings, gold: Number(label) });
  }
  return items;
}
