// The fast encoder against @huggingface/tokenizers itself (the reference it
// replaces) on the bundled corpora, MMLU prompts, adversarial strings and fuzz.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describe, expect, test } from 'vitest';
import { SentencePieceBpeEncoder } from './sentencepiece-bpe-encoder.js';
import { sentencePieceBpeSpec } from './sentencepiece-bpe-spec.js';

const ASSETS = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'assets');
const STORIES260K = join(ASSETS, 'models', 'stories260K');
const BABYLLAMA = join(ASSETS, 'test-models', 'babyllama-tok105');
const MMLU = join(ASSETS, 'data', 'mmlu');

type Json = Record<string, unknown>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const tokenizerOf = (dir: string): { json: Json; config: Json } => ({ json: readJson(join(dir, 'tokenizer.json')), config: readJson(join(dir, 'tokenizer_config.json')) });
const paragraphs = (file: string): string[] => readFileSync(join(ASSETS, 'data', file), 'utf8').replace(/\n$/, '').split('\n\n');

/** Encodes every text both ways; returns the first disagreements (none expected). */
function disagreements(json: Json, config: Json, texts: readonly string[]): Array<{ text: string; library: number[]; fast: number[] }> {
  const library = new HfTokenizer(json, config);
  const result = sentencePieceBpeSpec(json, config);
  expect(result.reason).toBeUndefined();
  const fast = new SentencePieceBpeEncoder(result.spec!);
  const found: Array<{ text: string; library: number[]; fast: number[] }> = [];
  for (const text of texts) {
    const expected: number[] = library.encode(text, { add_special_tokens: false }).ids;
    const actual = fast.encode(text);
    const same = expected.length === actual.length && expected.every((id, i) => id === actual[i]);
    if (!same && found.length < 3) found.push({ text: text.slice(0, 200), library: expected.slice(0, 40), fast: actual.slice(0, 40) });
  }
  return found;
}

const ADVERSARIAL = [
  '', ' ', '   ', ' a', 'a ', '  a  b  ', 'a\u00a0b', '\n', '\n\n', ' \n ', '\t', 'a\tb', 'a\r\nb', 'a\n\nThe end.',
  '🦙', 'x🦙y', ' 🦙 🦙', '🦙'.repeat(500), '😀👍🏽🇫🇷', '\ud800', 'a\udc00b', '\udbff\udfff', 'x\ud83d',
  'e\u0301', 'Cafe\u0301 n\u0303', '日本語のテキスト', 'Ωμέγα Привет مرحبا',
  '<s>', '</s>', '<unk>', 'a<s>b</s>c<unk>d', '<unk><unk>', ' <s> ', '<s><s>', '<', '</', '<s', 'Once upon <s>a time',
  '▁', '▁▁a', 'a▁b', ' ▁ ', '▁<s>',
  'a'.repeat(20000), ' '.repeat(5000), 'ab '.repeat(3000), '\n'.repeat(1000), '.'.repeat(3000), 'the '.repeat(2000),
  'Hello world', 'Once upon a time', "Don't stop! It's 3.14, (ok)?", '\u0000\u0001\u007f',
];

/** A small deterministic PRNG (mulberry32), so fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic strings over characters that stress splitting, normalization and byte fallback. */
function fuzzTexts(count: number): string[] {
  const random = prng(0x2545f491);
  const atoms = [' ', ' ', '▁', 'a', 'e', 't', 'h', 'he', 'the', 'Lily', '\n', '<s>', '</s>', '<unk>', '<', 's', '>', '/', 'unk', '🦙', '\ud800', '\udc00', 'é', '\u0301', '日', '\t', '.'];
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(random() * 40) }, () => atoms[Math.floor(random() * atoms.length)]).join(''));
}

/** RFC 4180 rows (quoted fields with "" escapes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[i++];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** `perSubject` 5-shot prompts per subject, in the lm-evaluation-harness MMLU format. */
function mmluPrompts(perSubject: number): string[] {
  const letters = ['A', 'B', 'C', 'D'];
  const format = (r: string[]): string => `${r[0].trim()}\n${r.slice(1, 5).map((c, i) => `${letters[i]}. ${c}\n`).join('')}Answer:`;
  const prompts: string[] = [];
  for (const file of readdirSync(join(MMLU, 'dev')).sort()) {
    const subject = file.replace(/_dev\.csv$/, '');
    const shots = parseCsv(readFileSync(join(MMLU, 'dev', file), 'utf8')).slice(1, 6);
    const header = `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
    const examples = shots.map((r) => `${format(r)} ${letters[Number(r[5])]}\n\n`).join('');
    const questions = parseCsv(readFileSync(join(MMLU, 'test', `${subject}_test.csv`), 'utf8')).slice(1, 1 + perSubject);
    for (const q of questions) prompts.push(header + examples + format(q));
  }
  return prompts;
}

describe('stories260K (byte fallback, 165 merges): same ids as @huggingface/tokenizers', () => {
  const { json, config } = tokenizerOf(STORIES260K);

  test('every held-out paragraph and every third calibration paragraph of TinyStories', () => {
    const docs = [...paragraphs('tinystories-heldout.txt'), ...paragraphs('tinystories-calibration.txt').filter((_, i) => i % 3 === 0)];
    expect(docs.length).toBeGreaterThan(2000);
    expect(disagreements(json, config, docs)).toEqual([]);
  });

  test('MMLU 5-shot prompts, 4 per subject, and one long section (10,000 characters of held-out text)', () => {
    const prompts = mmluPrompts(4);
    expect(prompts.length).toBeGreaterThan(200);
    const long = readFileSync(join(ASSETS, 'data', 'tinystories-heldout.txt'), 'utf8').slice(0, 10000);
    expect(disagreements(json, config, [...prompts, long])).toEqual([]);
  });

  test('adversarial strings and 600 fuzz strings', () => {
    expect(disagreements(json, config, [...ADVERSARIAL, ...fuzzTexts(600)])).toEqual([]);
  });

  test('sections are cut into chunks (no stories260K merge joins a piece to a following "▁" piece)', () => {
    expect(new SentencePieceBpeEncoder(sentencePieceBpeSpec(json, config).spec!).chunked).toBe(true);
  });
});

describe('BabyLlama tok105 (no merges, no byte fallback: unknown characters are <unk>)', () => {
  const { json, config } = tokenizerOf(BABYLLAMA);

  test('held-out paragraphs, 57 MMLU prompts, adversarial and fuzz strings', () => {
    const texts = [...paragraphs('tinystories-heldout.txt'), ...mmluPrompts(1), ...ADVERSARIAL, ...fuzzTexts(300)];
    expect(disagreements(json, config, texts)).toEqual([]);
  });

  test('without fuse_unk every unknown character is its own <unk>; without unk_token they vanish', () => {
    const model = json.model as Json;
    const texts = ['日本', 'a日本b <unk>日', ...ADVERSARIAL.slice(0, 30)];
    expect(disagreements({ ...json, model: { ...model, fuse_unk: false } }, config, texts)).toEqual([]);
    expect(new SentencePieceBpeEncoder(sentencePieceBpeSpec({ ...json, model: { ...model, fuse_unk: false } }, config).spec!).encode('日本')).toEqual([3, 0, 0]); // "▁", then one <unk> per character
    expect(disagreements({ ...json, model: { ...model, unk_token: null } }, config, texts)).toEqual([]);
  });
});

describe('random BPE models over "a", "b", "▁": overlapping merges and ties, as the library orders them', () => {
  /** `count` merges of random pairs of existing pieces; `crossMeta` allows a right piece starting with "▁" after one that does not end with it. */
  function randomModel(seed: number, count: number, crossMeta: boolean): Json {
    const random = prng(seed);
    const pieces = ['<unk>', '<s>', '</s>', 'a', 'b', '▁'];
    const merges: Array<[string, string]> = [];
    while (merges.length < count) {
      const left = pieces[3 + Math.floor(random() * (pieces.length - 3))];
      const right = pieces[3 + Math.floor(random() * (pieces.length - 3))];
      if (pieces.includes(left + right) || (left + right).length > 6) continue;
      if (!crossMeta && right.startsWith('▁') && !left.endsWith('▁')) continue;
      merges.push([left, right]);
      pieces.push(left + right);
    }
    const { json } = tokenizerOf(STORIES260K);
    return { ...json, model: { ...(json.model as Json), byte_fallback: false, vocab: Object.fromEntries(pieces.map((p, i) => [p, i])), merges } };
  }
  const random = prng(7);
  const texts = Array.from({ length: 300 }, () => Array.from({ length: Math.floor(random() * 300) }, () => 'aab '[Math.floor(random() * 4)]).join(''));

  test.each([
    [1, false],
    [2, false],
    [3, true],
    [4, true],
  ])('model %i (merges across "▁": %s)', (seed, crossMeta) => {
    const json = randomModel(seed, 40, crossMeta);
    const fast = new SentencePieceBpeEncoder(sentencePieceBpeSpec(json, {}).spec!);
    expect(fast.chunked).toBe(!crossMeta);
    expect(disagreements(json, {}, [...texts, 'a'.repeat(3000), 'ab'.repeat(1500), ' '.repeat(500)])).toEqual([]);
  });
});

describe('variants of the stories260K file', () => {
  const { json, config } = tokenizerOf(STORIES260K);
  const model = json.model as Json & { vocab: Record<string, number>; merges: Array<[string, string]> };
  // The long adversarial strings are cut to 2,000 characters here: the library is slow on them.
  const texts = [...paragraphs('tinystories-heldout.txt').slice(0, 100), ...ADVERSARIAL.map((t) => t.slice(0, 2000)), ...fuzzTexts(200)];

  test.each(['always', 'first', 'never', undefined])('Metaspace pre-tokenizer, prepend_scheme %s, instead of the normalizer', (scheme) => {
    const variant = {
      ...json,
      normalizer: null,
      pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split: false },
      added_tokens: [...(json.added_tokens as Json[]), { id: 512, content: '<pad>', special: false }], // "normalized", but there is no normalizer
    };
    expect(disagreements(variant, config, ['a<pad>b', '<pad> x', ...texts])).toEqual([]);
  });

  test('a merge across "▁" turns chunking off, and is applied', () => {
    const variant = { ...json, model: { ...model, vocab: { ...model.vocab, 't▁a': 512 }, merges: [...model.merges, ['t', '▁a']] } };
    const fast = new SentencePieceBpeEncoder(sentencePieceBpeSpec(variant, config).spec!);
    expect(fast.chunked).toBe(false);
    expect(fast.encode('ft a ft a')).toContain(512); // impossible if cut before each "▁"
    expect(disagreements(variant, config, ['ft a ft a', ...texts])).toEqual([]);
  });

  test('a repeated merge takes its later rank; missing byte pieces give <unk>; more added tokens', () => {
    const repeated = { ...json, model: { ...model, merges: [...model.merges.slice(1), model.merges[0]] } };
    expect(disagreements(repeated, config, texts)).toEqual([]);
    const vocab = Object.fromEntries(Object.entries(model.vocab).filter(([piece]) => piece !== '<0xF0>' && piece !== '<0xE6>'));
    expect(disagreements({ ...json, model: { ...model, vocab } }, config, texts)).toEqual([]);
    const extra = [
      { id: 512, content: '<pad>', special: true, normalized: false },
      { id: 513, content: '▁zq', special: true, normalized: false },
      { id: 514, content: '<s>x', special: false, normalized: false },
    ];
    const added = { ...json, added_tokens: [...(json.added_tokens as Json[]), ...extra] };
    expect(disagreements(added, config, ['zq', ' zq', '▁zq', 'a<pad>b', '<s>x<s>', ...texts])).toEqual([]);
  });
});
