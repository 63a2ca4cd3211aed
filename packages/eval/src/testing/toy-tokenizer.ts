// Test double of a SentencePiece tokenizer, small enough to reason about by hand:
// like Llama's it prepends a dummy "▁" and turns spaces into "▁", and it has
// merged pieces "▁A".."▁z", so " A" after "Answer:" is ONE token while "A" alone
// is not. That is exactly the case the harness's _encode_pair handles.
import type { EvalTokenizer } from '../model-interface.js';

const SPECIALS = ['<unk>', '<s>', '</s>'];
const CHARS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== ' ');
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
const PIECES = [...SPECIALS, '▁', ...CHARS, '\n', ...LETTERS.map((l) => `▁${l}`)];

export class ToyTokenizer implements EvalTokenizer {
  readonly vocabSize = PIECES.length;
  readonly bosId = 1;
  readonly eosId = 2;
  private readonly ids = new Map(PIECES.map((p, i) => [p, i]));

  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    const normalized = `▁${text.replaceAll(' ', '▁')}`;
    const out: number[] = options.addBos ?? true ? [this.bosId] : [];
    let i = 0;
    while (i < normalized.length) {
      const pair = normalized.slice(i, i + 2);
      const merged = this.ids.get(pair);
      if (normalized[i] === '▁' && merged !== undefined) {
        out.push(merged);
        i += 2;
      } else {
        out.push(this.ids.get(normalized[i]) ?? 0);
        i += 1;
      }
    }
    return out;
  }

  decode(ids: number[]): string {
    return ids.map((id) => PIECES[id] ?? '').join('').replaceAll('▁', ' ');
  }

  piece(id: number): string {
    return PIECES[id];
  }
}
