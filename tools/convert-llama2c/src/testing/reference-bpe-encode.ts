// An independent re-implementation of llama2.c run.c's tokenizer (`encode`,
// `decode`), working directly on the tok*.bin vocabulary strings, to check the
// Hugging Face tokenizer.json the converter writes. It follows run.c step by
// step: dummy-prefix " ", one token per UTF-8 code point (or its bytes + 3 when
// the code point is not in the vocabulary), then repeatedly merge the adjacent
// pair whose concatenation is the highest-scoring vocabulary entry (leftmost
// on ties). Only the bookkeeping is faster: pair scores are cached and updated
// around each merge instead of recomputed for the whole sequence.
import { readFileSync } from 'node:fs';

export interface Llama2cVocab {
  vocab: string[];
  scores: number[];
  lookup: Map<string, number>;
}

export function readLlama2cVocab(path: string): Llama2cVocab {
  const buf = readFileSync(path);
  const vocab: string[] = [];
  const scores: number[] = [];
  let pos = 4;
  while (pos < buf.length) {
    scores.push(buf.readFloatLE(pos));
    const len = buf.readInt32LE(pos + 4);
    vocab.push(buf.toString('utf8', pos + 8, pos + 8 + len));
    pos += 8 + len;
  }
  const lookup = new Map<string, number>();
  // run.c's str_lookup (bsearch over a sorted copy) finds an entry equal to the string; vocabularies have no duplicates.
  vocab.forEach((v, i) => lookup.set(v, i));
  return { vocab, scores, lookup };
}

export function llama2cEncode(v: Llama2cVocab, text: string, bos: boolean): number[] {
  const tokens: number[] = [];
  if (text !== '') {
    const dummy = v.lookup.get(' ');
    if (dummy === undefined) throw new Error('vocabulary has no " " piece');
    tokens.push(dummy);
  }
  const encoder = new TextEncoder();
  for (const codePoint of text) {
    const id = v.lookup.get(codePoint);
    if (id !== undefined) tokens.push(id);
    else for (const byte of encoder.encode(codePoint)) tokens.push(byte + 3);
  }
  const pairScore = (i: number): number => {
    const id = v.lookup.get(v.vocab[tokens[i]] + v.vocab[tokens[i + 1]]);
    return id === undefined ? -Infinity : v.scores[id];
  };
  const scores: number[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) scores.push(pairScore(i));
  for (;;) {
    let best = -1e10;
    let bestIdx = -1;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] > best) {
        best = scores[i];
        bestIdx = i;
      }
    }
    if (bestIdx === -1) break;
    const merged = v.lookup.get(v.vocab[tokens[bestIdx]] + v.vocab[tokens[bestIdx + 1]]) as number;
    tokens.splice(bestIdx, 2, merged);
    scores.splice(bestIdx, 1);
    if (bestIdx > 0) scores[bestIdx - 1] = pairScore(bestIdx - 1);
    if (bestIdx < scores.length) scores[bestIdx] = pairScore(bestIdx);
  }
  return bos ? [1, ...tokens] : tokens;
}

/** run.c's decode over a whole sequence: drop the space after BOS, turn <0xXX> into bytes. */
export function llama2cDecode(v: Llama2cVocab, ids: number[]): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === 1 && i === 0) continue; // run.c prints the tokens after the prompt's BOS
    let piece = v.vocab[ids[i]];
    if (i > 0 && ids[i - 1] === 1 && piece.startsWith(' ')) piece = piece.slice(1);
    const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
    if (byte) bytes.push(parseInt(byte[1], 16));
    else bytes.push(...encoder.encode(piece));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
