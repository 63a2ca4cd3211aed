import { describe, expect, it } from 'vitest';
import { batchByLength, paddingFraction } from './batch-by-length.js';
import { DataError } from './data-error.js';
import { loadDocuments } from './read-documents.js';
import { TINYSTORIES } from './testing/fixtures.js';
import { tokenizeDocuments, truncateTokens } from './tokenize-documents.js';

// A tokenizer stand-in: one id per word, BOS = 1 first, as the model's encode does.
const encode = (text: string): number[] => [1, ...text.split(/\s+/).filter(Boolean).map((w) => 2 + (w.length % 50))];

describe('tokenizeDocuments', () => {
  it('encodes, truncates to maxLength and drops too-short documents', async () => {
    const documents = (await loadDocuments(TINYSTORIES)).slice(0, 200);
    const out = tokenizeDocuments(documents, encode, { maxLength: 32, minLength: 8 });
    const expectedKept = documents.filter((d) => encode(d.text).length >= 8);
    expect(out.map((t) => t.index)).toEqual(expectedKept.map((d) => d.index));
    for (const t of out) {
      const full = encode(documents[t.index].text);
      expect(t.originalLength).toBe(full.length);
      expect(t.tokens).toEqual(full.slice(0, 32));
    }
    expect(out.some((t) => t.originalLength > 32)).toBe(true);
  });

  it('rejects invalid lengths', () => {
    expect(() => tokenizeDocuments([], encode, { maxLength: 0 })).toThrow(DataError);
    expect(() => truncateTokens([1, 2], 1.5)).toThrow(DataError);
    expect(truncateTokens([1, 2, 3], 2)).toEqual([1, 2]);
  });
});

describe('batchByLength', () => {
  it('sorts longest first, keeps every sequence once and pads less than input order', async () => {
    const documents = await loadDocuments(TINYSTORIES);
    const sequences = tokenizeDocuments(documents, encode, { maxLength: 128 }).map((t) => t.tokens);
    const batches = batchByLength(sequences, 8);
    expect(batches).toHaveLength(Math.ceil(sequences.length / 8));
    expect(batches.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(sequences.map((_, i) => i));
    const lengths = batches.flatMap((b) => b.sequences.map((s) => s.length));
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    for (const b of batches) {
      expect(b.sequences).toEqual(b.indices.map((i) => sequences[i]));
      expect(b.maxLength).toBe(Math.max(...b.sequences.map((s) => s.length)));
      expect(b.tokens).toBe(b.sequences.reduce((s, q) => s + q.length, 0));
    }
    const inOrder = Array.from({ length: Math.ceil(sequences.length / 8) }, (_, k) => {
      const seqs = sequences.slice(k * 8, k * 8 + 8);
      return { indices: [], sequences: seqs, maxLength: Math.max(...seqs.map((s) => s.length)), tokens: seqs.reduce((s, q) => s + q.length, 0) };
    });
    expect(paddingFraction(batches)).toBeLessThan(paddingFraction(inOrder) / 2);
  });

  it('keeps input order among equal lengths and accepts tokenized documents', () => {
    const batches = batchByLength([{ tokens: [1, 2] }, { tokens: [3] }, { tokens: [4, 5] }], 2);
    expect(batches.map((b) => b.indices)).toEqual([[0, 2], [1]]);
    expect(() => batchByLength([[1]], 0)).toThrow(DataError);
    expect(paddingFraction([])).toBe(0);
  });
});
