// Which tokenizer.json files the fast encoder takes, and which it leaves to the library.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { sentencePieceBpeSpec } from './sentencepiece-bpe-spec.js';

const ASSETS = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'assets');
type Json = Record<string, unknown>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const stories = readJson(join(ASSETS, 'models', 'stories260K', 'tokenizer.json'));
const storiesModel = stories.model as Json & { vocab: Record<string, number>; merges: Array<[string, string]> };
const storiesAdded = stories.added_tokens as Json[];

describe('sentencePieceBpeSpec accepts sentencepiece-style BPE', () => {
  test('stories260K: vocabulary, merges as ids, <unk>, byte fallback, Prepend/Replace normalizer', () => {
    const { spec, reason } = sentencePieceBpeSpec(stories, {});
    expect(reason).toBeUndefined();
    expect(spec!.vocab.size).toBe(512);
    expect(spec!.pieces[410]).toBe('▁');
    expect(spec!.merges.left.length).toBe(165);
    // First merge of the file: ["▁", "t"] -> "▁t".
    const [left, right] = storiesModel.merges[0];
    expect([spec!.merges.left[0], spec!.merges.right[0], spec!.merges.result[0]]).toEqual([storiesModel.vocab[left], storiesModel.vocab[right], storiesModel.vocab[left + right]]);
    expect([...spec!.addedTokens]).toEqual([['<unk>', 0], ['<s>', 1], ['</s>', 2]]);
    expect([spec!.unkId, spec!.fuseUnk, spec!.byteFallback, spec!.metaspace]).toEqual([0, true, true, { kind: 'normalizer' }]);
  });

  test('merges written as "a b" strings, and the Metaspace pre-tokenizer form of newer conversions', () => {
    const strings = { ...stories, model: { ...storiesModel, merges: storiesModel.merges.map((m) => m.join(' ')) } };
    expect(sentencePieceBpeSpec(strings, {}).spec!.merges.result).toEqual(sentencePieceBpeSpec(stories, {}).spec!.merges.result);
    const metaspace = { ...stories, normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false } };
    expect(sentencePieceBpeSpec(metaspace, {}).spec!.metaspace).toEqual({ kind: 'pre-tokenizer', prependScheme: 'first' });
    // Without a normalizer the library splits "normalized" added tokens out like the others.
    const normalizedToken = { ...metaspace, added_tokens: [...storiesAdded, { id: 512, content: '<pad>', special: false }] };
    expect(sentencePieceBpeSpec(normalizedToken, {}).spec!.addedTokens.get('<pad>')).toBe(512);
  });
});

describe('sentencePieceBpeSpec leaves every other shape to the library, with a reason', () => {
  const byteLevel = {
    ...stories,
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: "(?i:'s|'t)|\\p{L}+" }, behavior: 'Isolated' }, { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    model: { ...storiesModel, byte_fallback: false, ignore_merges: true },
  };
  const withAdded = (extra: Json): Json => ({ ...stories, added_tokens: [...storiesAdded, { id: 512, content: '<pad>', special: true, normalized: false, ...extra }] });
  const withModel = (extra: Json): Json => ({ ...stories, model: { ...storiesModel, ...extra } });
  const cases: Array<[string, Json, Json, RegExp]> = [
    ['byte-level BPE with a regex pre-tokenizer (Llama-3, Qwen2)', byteLevel, {}, /not a Prepend\/Replace normalizer nor a Metaspace|pre_tokenizer/],
    ['a Unigram model', { ...stories, model: { type: 'Unigram', vocab: [['<unk>', 0]], unk_id: 0 } }, {}, /not BPE/],
    ['an NFKC step in the normalizer', { ...stories, normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, ...((stories.normalizer as Json).normalizers as Json[])] } }, {}, /Sequence\[Prepend, Replace\]/],
    ['a regex Replace', { ...stories, normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { Regex: ' ' }, content: '▁' }] } }, {}, /Replace " " -> "▁"/],
    ['a normalizer and a pre-tokenizer', { ...stories, pre_tokenizer: { type: 'Metaspace' } }, {}, /neither/],
    ['an unknown prepend_scheme', { ...stories, normalizer: null, pre_tokenizer: { type: 'Metaspace', prepend_scheme: 'sometimes' } }, {}, /prepend_scheme sometimes/],
    ['a Metaspace with another replacement', { ...stories, normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '_' } }, {}, /replacement/],
    ['an lstrip added token', withAdded({ lstrip: true }), {}, /lstrip/],
    ['a normalized added token (the default for non-special tokens)', withAdded({ special: false, normalized: undefined }), {}, /normalized/],
    ['an added token whose id belongs to another piece', withAdded({ id: 300 }), {}, /disagrees/],
    ['dropout', withModel({ dropout: 0.1 }), {}, /dropout/],
    ['a continuing-subword prefix', withModel({ continuing_subword_prefix: '##' }), {}, /subword/],
    ['ignore_merges', withModel({ ignore_merges: true }), {}, /ignore_merges/],
    ['a merge whose result is not in the vocabulary', withModel({ merges: [...storiesModel.merges, ['▁', '<s>']] }), {}, /outside the vocabulary/],
    ['a merge string without a space', withModel({ merges: ['▁t'] }), {}, /no space/],
    ['two pieces with one id', withModel({ vocab: { ...storiesModel.vocab, extra: 5 } }), {}, /unique integer/],
    ['an unk_token outside the vocabulary', withModel({ unk_token: '<oov>' }), {}, /unk_token/],
    ['remove_space in tokenizer_config.json', stories, { remove_space: true }, /remove_space/],
    ['a template without the sequence', { ...stories, post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }] } }, {}, /post_processor/],
    ['a template with the sequence twice', { ...stories, post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }] } }, {}, /post_processor/],
  ];
  test.each(cases)('%s', (_name, json, config, reason) => {
    const result = sentencePieceBpeSpec(json, config);
    expect(result.spec).toBeUndefined();
    expect(result.reason).toMatch(reason);
  });
});
