import { describe, expect, it } from 'vitest';
import { encodePair, prefixTokenId } from './encode-pair.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const tok = new ToyTokenizer();
const pieces = (ids: number[]) => ids.map((id) => tok.piece(id));

describe('encodePair (harness _encode_pair)', () => {
  it('encodes context+continuation jointly: " A" after "Answer:" is the single piece "▁A"', () => {
    const pair = encodePair(tok, 'Answer:', ' A', { addBos: false });
    expect(pieces(pair.context)).toEqual(['▁A', 'n', 's', 'w', 'e', 'r', ':']);
    expect(pieces(pair.continuation)).toEqual(['▁A']);
  });

  it('moves trailing whitespace of the context to the continuation', () => {
    const moved = encodePair(tok, 'Answer: ', 'A', { addBos: false });
    expect(moved).toEqual(encodePair(tok, 'Answer:', ' A', { addBos: false }));
    // Without the move, "A" alone would not merge with the space.
    expect(pieces(moved.continuation)).toEqual(['▁A']);
  });

  it('prepends BOS to the context by default and not to the continuation', () => {
    const pair = encodePair(tok, 'Hi', ' there');
    expect(pair.context[0]).toBe(tok.bosId);
    expect(pieces(pair.context.slice(1))).toEqual(['▁H', 'i']);
    expect(pieces(pair.continuation)).toEqual(['▁t', 'h', 'e', 'r', 'e']);
  });

  it('conditions an empty or blank context on the prefix token only', () => {
    expect(encodePair(tok, '', 'Hi')).toEqual({ context: [1], continuation: tok.encode('Hi', { addBos: false }) });
    expect(encodePair(tok, '  ', 'Hi').context).toEqual([1]);
    expect(prefixTokenId({ ...tok, bosId: null, eosId: 2, vocabSize: 3, encode: () => [] })).toBe(2);
  });
});
