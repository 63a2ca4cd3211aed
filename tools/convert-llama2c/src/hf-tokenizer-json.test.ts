import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, test } from 'vitest';
import { hfTokenizerConfig, hfTokenizerJson, serializeTokenizerJson } from './hf-tokenizer-json.js';
import { readTokenizerFile } from './read-tokenizer-file.js';
import { BABYLLAMA, STORIES260K, TINYSTORIES_PARTS } from './testing/fixture-paths.js';
import { llama2cDecode, llama2cEncode, readLlama2cVocab } from './testing/reference-bpe-encode.js';
import type { Llama2cVocab } from './testing/reference-bpe-encode.js';

async function loadHf(path: string): Promise<Tokenizer> {
  const pieces = await readTokenizerFile(path);
  // Through the serialized text, as a reader of tokenizer.json sees it.
  const json = JSON.parse(serializeTokenizerJson(hfTokenizerJson(pieces))) as object;
  return new Tokenizer(json, hfTokenizerConfig(pieces, 512));
}

/**
 * TinyStories validation paragraphs (blank-line separated), the kind of text these
 * models were trained on: the 4,300 of the bundled sample, in order. Every second one
 * by default, to keep the suite fast on a busy machine; CONVERT_LLAMA2C_FULL_CORPUS=1
 * checks all 4,300.
 */
const FULL_CORPUS = process.env.CONVERT_LLAMA2C_FULL_CORPUS === '1';
function paragraphs(): string[] {
  return TINYSTORIES_PARTS.flatMap((file) => readFileSync(file, 'utf8').split(/\n{2,}/))
    .filter((p) => p.trim() !== '')
    .filter((_, i) => FULL_CORPUS || i % 2 === 0);
}

/** These loops encode ~190K tokens twice; allow for a machine shared with other jobs. */
const CORPUS_TIMEOUT_MS = 180_000;

describe('stories260K tok512 as a Hugging Face tokenizer', () => {
  let hf: Tokenizer;
  let ref: Llama2cVocab;
  beforeAll(async () => {
    hf = await loadHf(STORIES260K.tokenizerModel);
    ref = readLlama2cVocab(STORIES260K.tokenizerBin);
  });

  test('encodes "Once upon a time" with BOS as llama2.c does: [1, 403, 407, 261, 378]', () => {
    expect(hf.encode('Once upon a time').ids).toEqual([1, 403, 407, 261, 378]);
    expect(llama2cEncode(ref, 'Once upon a time', true)).toEqual([1, 403, 407, 261, 378]);
  });

  test('matches run.c encode on TinyStories validation paragraphs and decodes them back exactly', () => {
    const texts = paragraphs();
    expect(texts.length).toBe(FULL_CORPUS ? 4300 : 2150);
    const mismatches: string[] = [];
    let tokens = 0;
    for (const text of texts) {
      const expected = llama2cEncode(ref, text, true);
      const got = hf.encode(text).ids;
      tokens += got.length;
      if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(text);
      else if (hf.decode(got, { skip_special_tokens: true }) !== text || llama2cDecode(ref, got) !== text) mismatches.push(`decode: ${text}`);
    }
    expect(tokens).toBeGreaterThan(FULL_CORPUS ? 380_000 : 180_000);
    expect(mismatches).toEqual([]);
  }, CORPUS_TIMEOUT_MS);

  test('matches run.c on edge cases: spaces, newlines, digits, byte fallback for unseen characters', () => {
    const cases = ['', ' ', '  two  spaces ', 'a\nb\n\nc', 'Tom has 12 apples, 3.5 pears!', 'naïve café — “quotes” 日本語 🦙', '\u0000\u0001x', 'ééé aaa'];
    for (const text of cases) {
      expect(hf.encode(text).ids, JSON.stringify(text)).toEqual(llama2cEncode(ref, text, true));
    }
  });

  test('.bin and .model give the same tokenizer.json', async () => {
    const fromBin = serializeTokenizerJson(hfTokenizerJson(await readTokenizerFile(STORIES260K.tokenizerBin)));
    const fromModel = serializeTokenizerJson(hfTokenizerJson(await readTokenizerFile(STORIES260K.tokenizerModel)));
    expect(fromBin).toBe(fromModel);
  });
});

describe('BabyLlama tok105 (character level, no byte fallback)', () => {
  let hf: Tokenizer;
  let ref: Llama2cVocab;
  beforeAll(async () => {
    hf = await loadHf(BABYLLAMA.tokenizerModel);
    ref = readLlama2cVocab(BABYLLAMA.tokenizerBin);
  });

  test('matches run.c encode on the paragraphs whose characters are all in the vocabulary', () => {
    const inVocab = (text: string): boolean => Array.from(text).every((c) => ref.lookup.has(c));
    const texts = paragraphs().filter(inVocab);
    expect(texts.length).toBeGreaterThan(FULL_CORPUS ? 4000 : 2000);
    const mismatches = texts.filter((t) => JSON.stringify(hf.encode(t).ids) !== JSON.stringify(llama2cEncode(ref, t, true)));
    expect(mismatches).toEqual([]);
  }, CORPUS_TIMEOUT_MS);

  test('unknown characters become <unk> (id 0), never byte pieces', () => {
    const ids = hf.encode('a日b').ids;
    // "▁a", unk, "b": tok105 has single characters only.
    expect(ids).toEqual([1, ref.lookup.get(' '), ref.lookup.get('a'), 0, ref.lookup.get('b')]);
  });

  test('.bin and .model give the same tokenizer.json', async () => {
    const fromBin = serializeTokenizerJson(hfTokenizerJson(await readTokenizerFile(BABYLLAMA.tokenizerBin)));
    const fromModel = serializeTokenizerJson(hfTokenizerJson(await readTokenizerFile(BABYLLAMA.tokenizerModel)));
    expect(fromBin).toBe(fromModel);
    const json = JSON.parse(fromModel) as { model: { byte_fallback: boolean; merges: unknown[] } };
    expect(json.model.byte_fallback).toBe(false);
  });
});
