// A fast encoder for sentencepiece-style BPE tokenizer.json files (Llama-1/2,
// Mistral, TinyLlama, llama2.c exports), equal id for id to
// `new Tokenizer(json, config).encode(text, { add_special_tokens: false }).ids`
// of @huggingface/tokenizers 0.2, which it replaces in loadTokenizer.
//
// Steps, as in the library: cut out added tokens; put "▁" into each text section
// (normalizer or Metaspace pre-tokenizer); BPE over the whole section as one word;
// pieces outside the vocabulary become <0xNN> byte pieces (byte_fallback) or
// <unk>, consecutive <unk> of a section fused (fuse_unk).
//
// Speed comes from ids instead of strings (a typed-array merge table and heap,
// see BpeWordMerger) and from splitting a section into chunks that BPE provably
// merges independently, whose ids are cached: a chunk boundary goes before a "▁"
// that follows another character, and it is used only when no merge joins a
// left piece not ending in "▁" with a right piece starting with "▁" (true for
// Llama-2 and Mistral, checked for each file). With no merge across the boundary
// the merges on either side happen in the same relative order as in the whole.

import { AddedTokenSplitter } from './added-token-splitter.js';
import { BpeMergeTable } from './bpe-merge-table.js';
import { BpeWordMerger } from './bpe-word-merger.js';
import type { SentencePieceBpeSpec } from './sentencepiece-bpe-spec.js';

const META = '\u2581';
const META_UNIT = 0x2581;
const SPACE_UNIT = 0x20;
/** Chunks up to this many code units are cached. */
const CACHE_MAX_CHUNK = 48;
/** The cache is emptied when it reaches this many chunks (a few MB at most). */
const CACHE_MAX_ENTRIES = 100_000;

export class SentencePieceBpeEncoder {
  private readonly table: BpeMergeTable;
  private readonly merger: BpeWordMerger;
  private readonly splitter: AddedTokenSplitter;
  /** Vocabulary id of each single BMP character, -1 when absent. */
  private readonly bmpIds = new Int32Array(65536).fill(-1);
  /** Vocabulary id of each single astral character in the vocabulary. */
  private readonly astralIds = new Map<number, number>();
  /** Id of <0xNN> for each byte, -1 when absent. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly splitAtMeta: boolean;
  /** Some added token starts with "▁", so a normalized section could equal it. */
  private readonly addedStartsWithMeta: boolean;
  /** Chunk (raw text, spaces not yet "▁") -> ids before unk fusion. */
  private readonly cache = new Map<string, number[]>();
  private readonly scratch: number[] = [];

  constructor(private readonly spec: SentencePieceBpeSpec) {
    const { vocab, pieces, merges, addedTokens } = spec;
    const count = merges.left.length;
    this.table = new BpeMergeTable(count);
    let crossesMeta = false;
    for (let rank = 0; rank < count; rank++) {
      const left = merges.left[rank];
      const right = merges.right[rank];
      this.table.set(left, right, rank, merges.result[rank]);
      if (pieces[right].charCodeAt(0) === META_UNIT && pieces[left].charCodeAt(pieces[left].length - 1) !== META_UNIT) crossesMeta = true;
    }
    this.splitAtMeta = !crossesMeta;
    this.merger = new BpeWordMerger(this.table);
    this.splitter = new AddedTokenSplitter(addedTokens);
    this.addedStartsWithMeta = [...addedTokens.keys()].some((content) => content.startsWith(META));
    for (const [piece, id] of vocab) {
      const cp = piece.codePointAt(0);
      if (cp === undefined || piece.length !== (cp > 0xffff ? 2 : 1)) continue;
      if (cp > 0xffff) this.astralIds.set(cp, id);
      else this.bmpIds[cp] = id;
    }
    for (let b = 0; b < 256; b++) {
      const piece = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      this.byteIds[b] = addedTokens.get(piece) ?? vocab.get(piece) ?? -1;
    }
  }

  /** Whether sections are cut into cached chunks (see the file comment). */
  get chunked(): boolean {
    return this.splitAtMeta;
  }

  /** Token ids of `text`, without BOS/EOS. */
  encode(text: string): number[] {
    const out: number[] = [];
    this.splitter.split(
      text,
      (start, end, section) => this.encodeSection(text, start, end, section, out),
      (id) => out.push(id),
    );
    return out;
  }

  /**
   * One text section text[start, end). The library builds the word "▁" + section
   * with spaces as "▁" (normalizer), or section with spaces as "▁" and "▁"
   * prepended per prepend_scheme (Metaspace); here spaces become "▁" inside bpe(),
   * and the prepended "▁" is a leading space of the first chunk.
   */
  private encodeSection(text: string, start: number, end: number, index: number, out: number[]): void {
    const mode = this.spec.metaspace;
    let prefix: boolean;
    if (mode.kind === 'normalizer') {
      // The library looks the normalized section up among the added tokens first.
      if (this.addedStartsWithMeta) {
        const added = this.spec.addedTokens.get(META + text.slice(start, end).replaceAll(' ', META));
        if (added !== undefined) {
          out.push(added);
          return;
        }
      }
      prefix = true;
    } else {
      // (The library's added-token lookup of a plain section cannot succeed: the splitter cut them all out.)
      const first = text.charCodeAt(start);
      prefix = first !== SPACE_UNIT && first !== META_UNIT && (mode.prependScheme === 'always' || (mode.prependScheme === 'first' && index === 0));
    }
    const sectionStart = out.length;
    let chunkStart = start;
    if (this.splitAtMeta) {
      let previousIsMeta = prefix;
      for (let i = start; i < end; i++) {
        const unit = text.charCodeAt(i);
        const isMeta = unit === SPACE_UNIT || unit === META_UNIT;
        if (isMeta && !previousIsMeta && i > start) {
          this.encodeChunk(text, chunkStart, i, prefix && chunkStart === start, out, sectionStart);
          chunkStart = i;
        }
        previousIsMeta = isMeta;
      }
    }
    this.encodeChunk(text, chunkStart, end, prefix && chunkStart === start, out, sectionStart);
  }

  private encodeChunk(text: string, start: number, end: number, prefix: boolean, out: number[], sectionStart: number): void {
    // A leading space stands for the prepended "▁": it becomes "▁" like every space.
    const chunk = prefix ? ' ' + text.slice(start, end) : text.slice(start, end);
    if (chunk.length > CACHE_MAX_CHUNK) {
      const ids = this.scratch;
      ids.length = 0;
      this.bpe(chunk, ids);
      this.append(ids, out, sectionStart);
      return;
    }
    let ids = this.cache.get(chunk);
    if (ids === undefined) {
      const scratch = this.scratch;
      scratch.length = 0;
      this.bpe(chunk, scratch);
      ids = scratch.slice();
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(chunk, ids);
    }
    this.append(ids, out, sectionStart);
  }

  /** Appends ids, fusing consecutive <unk> of one section as the library's fuse_unk does. */
  private append(ids: readonly number[], out: number[], sectionStart: number): void {
    const fuseId = this.spec.fuseUnk ? this.spec.unkId : null;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === fuseId && out.length > sectionStart && out[out.length - 1] === fuseId) continue;
      out.push(id);
    }
  }

  /** BPE of `chunk` (spaces read as "▁") into `out`, unknown characters resolved. */
  private bpe(chunk: string, out: number[]): void {
    const merger = this.merger;
    const end = chunk.length;
    merger.reserve(end);
    const symbols = merger.symbols;
    let n = 0;
    for (let i = 0; i < end; i++) {
      let cp = chunk.charCodeAt(i);
      if (cp === SPACE_UNIT) cp = META_UNIT;
      else if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < end) {
        const low = chunk.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      const id = cp > 0xffff ? (this.astralIds.get(cp) ?? -1) : this.bmpIds[cp];
      symbols[n++] = id >= 0 ? id : -1 - cp;
    }
    const count = merger.merge(n);
    for (let k = 0; k < count; k++) {
      const id = symbols[k];
      if (id >= 0) out.push(id);
      else this.unknownCharacter(-1 - id, out);
    }
  }

  /** A character outside model.vocab: an added token, its UTF-8 byte pieces, or <unk>. */
  private unknownCharacter(cp: number, out: number[]): void {
    const added = this.spec.addedTokens.get(String.fromCodePoint(cp));
    if (added !== undefined) {
      out.push(added);
      return;
    }
    if (this.spec.byteFallback) {
      const bytes = utf8Bytes(cp);
      let known = true;
      for (const b of bytes) if (this.byteIds[b] < 0) known = false;
      if (known) {
        for (const b of bytes) out.push(this.byteIds[b]);
        return;
      }
    }
    if (this.spec.unkId !== null) out.push(this.spec.unkId);
  }
}

/** UTF-8 of one code point; a lone surrogate becomes U+FFFD, as TextEncoder does. */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp >= 0xd800 && cp <= 0xdfff) return [0xef, 0xbf, 0xbd];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
