import { describe, expect, it } from 'vitest';
import { DataError } from './data-error.js';
import { packSequences, packTokenStream } from './pack-sequences.js';

describe('packSequences', () => {
  const documents = [[10, 11, 12], [20], [30, 31, 32, 33, 34], [40, 41]];

  it('joins documents with BOS/EOS and cuts exactly seqLength tokens', () => {
    const stream = documents.flatMap((d) => [1, ...d, 2]);
    for (const seqLength of [1, 3, 4, 7, 19]) {
      const packed = packSequences(documents, { seqLength, bosId: 1, eosId: 2 });
      expect(packed.every((s) => s.length === seqLength)).toBe(true);
      expect(packed.length).toBe(Math.floor(stream.length / seqLength));
      expect(packed.flat()).toEqual(stream.slice(0, packed.length * seqLength));
    }
  });

  it('keeps the remainder on request and works without separators', () => {
    expect(packSequences(documents, { seqLength: 4, dropRemainder: false })).toEqual([
      [10, 11, 12, 20],
      [30, 31, 32, 33],
      [34, 40, 41],
    ]);
    expect(packSequences(documents, { seqLength: 4, eosId: 0 })).toEqual([
      [10, 11, 12, 0],
      [20, 0, 30, 31],
      [32, 33, 34, 0],
    ]);
  });

  it('is lazy over an endless source', () => {
    function* endless(): Generator<number[]> {
      for (let i = 0; ; i++) yield [i];
    }
    const it = packTokenStream(endless(), { seqLength: 3, bosId: 9 });
    expect(it.next().value).toEqual([9, 0, 9]);
    expect(it.next().value).toEqual([1, 9, 2]);
  });

  it('rejects invalid options', () => {
    expect(() => packSequences(documents, { seqLength: 0 })).toThrow(DataError);
    expect(() => packSequences(documents, { seqLength: 4, bosId: -1 })).toThrow(/bosId/);
  });
});
