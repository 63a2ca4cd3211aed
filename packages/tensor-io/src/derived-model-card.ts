// The README.md (Hugging Face model card) of a model derived from another one
// (pruned, quantized, merged). Copying the source's card unchanged would make the
// derived model claim to be the original; instead the card gets a YAML front
// matter Hugging Face reads (`base_model`, `tags`, and the source's `license` and
// `language`), a short account of what was done and by which tool, and the
// original card below a heading.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { relative } from 'node:path';
import { fsError } from './fs-error.js';
import type { ModelFiles } from './open-model-files.js';
import { resolveModelFile } from './resolve-model-file.js';
import { hubRepoIdOf, modelDisplayName } from './hub-repo-id-of.js';

/** The model card's file name in a Hugging Face model directory. */
export const MODEL_CARD_NAME = 'README.md';

/** A source card larger than this is not embedded (the card says so). */
const MAX_SOURCE_CARD_BYTES = 1 << 20;

export type DerivedModelKind = 'pruned' | 'quantized' | 'merged-lora';

export interface DerivedModelCard {
  /** The source model: its name or path, written as `base_model`. */
  base: string;
  kind: DerivedModelKind;
  /** What was done, one Markdown line each (written as a bullet list). */
  details: string[];
  /** Name of the package that wrote the model, e.g. `@layerprune/surgery`. */
  toolName: string;
  toolVersion: string;
  /** The source's README.md text, or null when it has none. */
  sourceCard: string | null;
}

const TITLES: Record<DerivedModelKind, string> = {
  pruned: 'pruned',
  quantized: 'quantized',
  'merged-lora': 'with a LoRA adapter merged',
};

const SUMMARIES: Record<DerivedModelKind, string> = {
  pruned: 'by removing whole transformer blocks (layer pruning, Gromov et al. 2024, "The Unreasonable Ineffectiveness of the Deeper Layers")',
  quantized: 'by blockwise quantization of its linear weights in the bitsandbytes layout',
  'merged-lora': 'by folding a LoRA adapter into its weights',
};

/**
 * A YAML double-quoted scalar: JSON's escapes (valid YAML 1.2) plus \u escapes
 * for the characters YAML does not allow unescaped (DEL, C1 controls, U+FEFF,
 * U+FFFE/U+FFFF) and those YAML 1.1 readers take as line
 * breaks (U+0085, U+2028, U+2029).
 */
function yamlString(value: string): string {
  // A lone surrogate has no YAML form at all: U+FFFD, as a UTF-8 decoder would give.
  const wellFormed = value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return JSON.stringify(wellFormed).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Text for a Markdown line: control characters escaped, so a file name cannot break the card's layout. */
function markdownSafe(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `value` as a Markdown code span, fenced by more backticks than it contains. */
function markdownCode(value: string): string {
  const safe = markdownSafe(value);
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

interface SplitCard {
  /** The front matter's lines, without the `---` delimiters; null when there is none. */
  frontMatter: string[] | null;
  body: string;
}

/** Splits a card into its YAML front matter (between a first line `---` and the next `---` or `...`) and the rest. */
function splitFrontMatter(card: string): SplitCard {
  const lines = card.replace(/^\ufeff/, '').split(/\r?\n/);
  if (lines[0]?.trimEnd() !== '---') return { frontMatter: null, body: lines.join('\n') };
  const end = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  if (end < 0) return { frontMatter: null, body: lines.join('\n') };
  return { frontMatter: lines.slice(1, end), body: lines.slice(end + 1).join('\n') };
}

/** One YAML scalar as written in a front matter (plain, single- or double-quoted); null if it is anything else. */
function parseScalar(raw: string): string | null {
  const text = raw.replace(/\s+#.*$/, '').trim();
  if (text === '') return null;
  if (text.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'string' ? value : null;
    } catch {
      return null;
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) return null;
    const inner = text.slice(1, -1);
    return /(^|[^'])'([^']|$)/.test(inner) ? null : inner.replace(/''/g, "'");
  }
  // A plain scalar: no indicator that would make it something else, and not null.
  if (/^[-?:,](\s|$)|^[[\]{}&*!|>%@`'"#]/.test(text) || /:(\s|$)|\s#/.test(text)) return null;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  return text;
}

/**
 * The value of a top-level `key:` in a front matter: a scalar, a flow sequence
 * of scalars (`[en, fr]`) or a block sequence (`- en` lines). Anything else
 * (maps, multi-line strings, anchors) is null: the key is then left out rather
 * than copied in a form that might not parse.
 */
function frontMatterValue(lines: string[], key: string): string | string[] | null {
  const start = lines.findIndex((line) => new RegExp(`^${key}\\s*:(\\s|$)`).test(line));
  if (start < 0) return null;
  const inline = lines[start].slice(lines[start].indexOf(':') + 1).replace(/^\s+/, '');
  const withoutComment = inline.replace(/^#.*$/, '').trim();
  if (withoutComment !== '') {
    if (withoutComment.startsWith('[')) {
      const m = /^\[(.*)\]\s*(#.*)?$/.exec(withoutComment);
      if (!m) return null;
      if (m[1].trim() === '') return null;
      const items = m[1].split(',').map(parseScalar);
      return items.every((item): item is string => item !== null) ? items : null;
    }
    // A plain scalar continued on indented lines is not read (rare in cards).
    const next = lines.slice(start + 1).find((line) => line.trim() !== '' && !/^\s*#/.test(line));
    if (next !== undefined && /^\s/.test(next)) return null;
    return parseScalar(withoutComment);
  }
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const m = /^\s*-\s+(.*)$/.exec(line);
    if (!m) {
      if (/^\S/.test(line)) break; // the next top-level key
      return null;
    }
    const item = parseScalar(m[1]);
    if (item === null) return null;
    items.push(item);
  }
  return items.length > 0 ? items : null;
}

function yamlEntry(key: string, value: string | string[]): string[] {
  if (typeof value === 'string') return [`${key}: ${yamlString(value)}`];
  return [`${key}:`, ...value.map((item) => `- ${yamlString(item)}`)];
}

/** A fenced code block holding `text`, fenced by more backticks than any run inside it. */
function fenced(text: string, info: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}`;
}

/**
 * The README.md of a derived model: front matter (`base_model`, `tags:
 * [layerprune, <kind>]`, the source card's `license` and `language` when its
 * front matter has them), what was done, the tool and version, then the source
 * card (its own front matter shown as a YAML block) under "Original model card".
 */
export function renderDerivedModelCard(card: DerivedModelCard): string {
  const source = card.sourceCard === null ? null : splitFrontMatter(card.sourceCard);
  // A cache snapshot is named by its repo id: what `base_model` means on the Hugging Face hub.
  const front = [...yamlEntry('base_model', hubRepoIdOf(card.base) ?? card.base), ...yamlEntry('tags', ['layerprune', card.kind])];
  for (const key of ['license', 'language']) {
    const value = source?.frontMatter ? frontMatterValue(source.frontMatter, key) : null;
    if (value !== null) front.push(...yamlEntry(key, value));
  }
  const name = modelDisplayName(card.base);
  const out = [
    '---',
    ...front,
    '---',
    '',
    `# ${markdownSafe(name)} (${TITLES[card.kind]})`,
    '',
    `This model was made from ${markdownCode(card.base)} ${SUMMARIES[card.kind]}.`,
    '',
    ...card.details.map((line) => `- ${markdownSafe(line)}`),
    '',
    `Written by ${card.toolName} ${card.toolVersion} (layerprune).`,
    '',
    '## Original model card',
    '',
  ];
  if (source === null) {
    out.push('The source model has no model card (README.md).', '');
  } else {
    if (source.frontMatter !== null && source.frontMatter.some((line) => line.trim() !== '')) {
      out.push('Its metadata:', '', fenced(source.frontMatter.join('\n'), 'yaml'), '');
    }
    out.push(source.body.replace(/^\s*\n/, '').trimEnd(), '');
  }
  return out.join('\n');
}

/**
 * The text of `model`'s README.md, or null when it has none. Read like the
 * files copyModelFiles copies: a link to outside the model directory is
 * refused (SYMLINK_OUTSIDE_MODEL_DIR); a card over 1 MiB or that is not a
 * regular file is replaced by a one-line note; invalid UTF-8 becomes U+FFFD.
 */
export async function readModelCard(model: ModelFiles): Promise<string | null> {
  const path = model.files.others.find((file) => relative(model.dir, file) === MODEL_CARD_NAME);
  if (path === undefined) return null;
  const real = await resolveModelFile(model.dir, path);
  let handle;
  try {
    // O_NONBLOCK: a FIFO put in place of the card must not hang the writer.
    handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw fsError(cause, path, 'read');
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return `(The source's ${MODEL_CARD_NAME} is not a regular file; it was not read.)\n`;
    if (info.size > MAX_SOURCE_CARD_BYTES) {
      return `(The source's ${MODEL_CARD_NAME} is ${info.size} bytes, more than ${MAX_SOURCE_CARD_BYTES}; it is not included.)\n`;
    }
    return (await handle.readFile()).toString('utf8');
  } catch (cause) {
    throw fsError(cause, path, 'read');
  } finally {
    await handle.close();
  }
}
