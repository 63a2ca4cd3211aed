import { sentencePieceMerges } from './sentencepiece-merges.js';
import type { TokenizerPieces } from './tokenizer-pieces.js';

const SPACE_MARK = '\u2581';

/**
 * tokenizer.json for a sentencepiece BPE Llama tokenizer, shaped like what
 * transformers' LlamaConverter writes with `legacy: true`:
 * - normalizer: Prepend "▁" (sentencepiece's add_dummy_prefix) + Replace " " -> "▁";
 * - no pre-tokenizer: the whole text is one BPE word, as in sentencepiece and run.c;
 * - BPE over the pieces, merges from the scores, byte_fallback when all 256
 *   `<0xXX>` pieces exist (otherwise unknown characters become <unk>), fuse_unk;
 * - decoder: "▁" -> " ", bytes -> UTF-8, join, strip the one leading space;
 * - post-processor: BOS before each sequence.
 */
export function hfTokenizerJson(tokenizer: TokenizerPieces): Record<string, unknown> {
  const { pieces } = tokenizer;
  const unk = pieces[tokenizer.unkId].piece;
  const bos = pieces[tokenizer.bosId].piece;
  const vocab: Record<string, number> = {};
  pieces.forEach((p, id) => {
    vocab[p.piece] = id;
  });
  const special = pieces
    .map((p, id) => ({ p, id }))
    .filter(({ p }) => p.type === 'unknown' || p.type === 'control' || p.type === 'user_defined');
  const normalizers: Array<Record<string, unknown>> = [];
  if (tokenizer.addDummyPrefix) normalizers.push({ type: 'Prepend', prepend: SPACE_MARK });
  normalizers.push({ type: 'Replace', pattern: { String: ' ' }, content: SPACE_MARK });
  const decoders: Array<Record<string, unknown>> = [
    { type: 'Replace', pattern: { String: SPACE_MARK }, content: ' ' },
    { type: 'ByteFallback' },
    { type: 'Fuse' },
  ];
  if (tokenizer.addDummyPrefix) decoders.push({ type: 'Strip', content: ' ', start: 1, stop: 0 });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map(({ p, id }) => ({
      id,
      content: p.piece,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: p.type === 'user_defined',
      special: p.type !== 'user_defined',
    })),
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [tokenizer.bosId], tokens: [bos] } },
    },
    decoder: { type: 'Sequence', decoders },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: tokenizer.byteFallback,
      ignore_merges: false,
      vocab,
      merges: sentencePieceMerges(pieces),
    },
  };
}

/**
 * tokenizer_config.json: what transformers' LlamaTokenizerFast and
 * tokenizers.js read (special tokens, BOS added, no clean-up of spaces before
 * punctuation, which would change decoded text).
 */
export function hfTokenizerConfig(tokenizer: TokenizerPieces, modelMaxLength: number): Record<string, unknown> {
  const { pieces } = tokenizer;
  const addedTokensDecoder: Record<string, unknown> = {};
  pieces.forEach((p, id) => {
    if (p.type === 'unknown' || p.type === 'control' || p.type === 'user_defined') {
      addedTokensDecoder[String(id)] = {
        content: p.piece,
        lstrip: false,
        normalized: p.type === 'user_defined',
        rstrip: false,
        single_word: false,
        special: p.type !== 'user_defined',
      };
    }
  });
  return {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: addedTokensDecoder,
    bos_token: pieces[tokenizer.bosId].piece,
    eos_token: pieces[tokenizer.eosId].piece,
    unk_token: pieces[tokenizer.unkId].piece,
    pad_token: null,
    clean_up_tokenization_spaces: false,
    legacy: true,
    model_max_length: modelMaxLength,
    sp_model_kwargs: {},
    tokenizer_class: 'LlamaTokenizerFast',
  };
}

const VOCAB_PLACEHOLDER = '\u0000vocab\u0000';
const MERGES_PLACEHOLDER = '\u0000merges\u0000';

/**
 * tokenizer.json text laid out like the Rust `tokenizers` pretty printer does
 * it where it matters to a reader: the vocabulary in id order (a plain JS
 * object would list integer-like pieces such as "0".."9" first) and one merge
 * per line.
 */
export function serializeTokenizerJson(tokenizerJson: Record<string, unknown>): string {
  const model = tokenizerJson.model as { vocab: Record<string, number>; merges: Array<[string, string]> };
  const text = JSON.stringify({ ...tokenizerJson, model: { ...model, vocab: VOCAB_PLACEHOLDER, merges: MERGES_PLACEHOLDER } }, null, 2);
  const indent = '      ';
  const vocab = Object.entries(model.vocab)
    .sort((a, b) => a[1] - b[1])
    .map(([piece, id]) => `${indent}${JSON.stringify(piece)}: ${id}`);
  const merges = model.merges.map(([l, r]) => `${indent}[${JSON.stringify(l)}, ${JSON.stringify(r)}]`);
  const block = (lines: string[], open: string, close: string): string =>
    lines.length === 0 ? `${open}${close}` : `${open}\n${lines.join(',\n')}\n    ${close}`;
  return `${text
    .replace(JSON.stringify(VOCAB_PLACEHOLDER), () => block(vocab, '{', '}'))
    .replace(JSON.stringify(MERGES_PLACEHOLDER), () => block(merges, '[', ']'))}\n`;
}
