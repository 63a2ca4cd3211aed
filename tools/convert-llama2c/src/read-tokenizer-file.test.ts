import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConvertError } from './convert-error.js';
import { parseLlama2cTokenizer } from './read-llama2c-tokenizer.js';
import { parseSentencePieceModel } from './read-sentencepiece-model.js';
import { readTokenizerFile } from './read-tokenizer-file.js';
import { BABYLLAMA, STORIES260K } from './testing/fixture-paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'convert-llama2c-tok-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConvertError);
    return (error as ConvertError).code;
  }
  return 'no error';
}

/** A llama2.c tokenizer .bin written the way tokenizer.py's export writes it. */
function llama2cBin(tokens: Array<[string, number]>): Uint8Array {
  const encoded = tokens.map(([t, s]) => [Buffer.from(t, 'utf8'), s] as const);
  const max = Math.max(...encoded.map(([b]) => b.length));
  const parts: Buffer[] = [Buffer.from(new Uint32Array([max]).buffer)];
  for (const [bytes, score] of encoded) {
    const head = Buffer.alloc(8);
    head.writeFloatLE(score, 0);
    head.writeUInt32LE(bytes.length, 4);
    parts.push(head, bytes);
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('sentencepiece .model', () => {
  test('tok512.model: 512 pieces, types and scores as in tok512.vocab', async () => {
    const tok = await readTokenizerFile(STORIES260K.tokenizerModel);
    expect(tok.pieces).toHaveLength(512);
    expect(tok.pieces.slice(0, 4)).toEqual([
      { piece: '<unk>', score: 0, type: 'unknown' },
      { piece: '<s>', score: 0, type: 'control' },
      { piece: '</s>', score: 0, type: 'control' },
      { piece: '<0x00>', score: 0, type: 'byte' },
    ]);
    expect(tok.byteFallback).toBe(true);
    // tok512.vocab lists "piece<TAB>score" per line: check every entry.
    const vocab = readFileSync(STORIES260K.tokenizerVocab, 'utf8').trimEnd().split('\n');
    expect(vocab.map((line) => line.split('\t')[0])).toEqual(tok.pieces.map((p) => p.piece));
    expect(vocab.map((line) => Number(line.split('\t')[1]))).toEqual(tok.pieces.map((p) => p.score));
  });

  test('tok105.model: 105 pieces, no byte pieces, so no byte fallback', async () => {
    const tok = await readTokenizerFile(BABYLLAMA.tokenizerModel);
    expect(tok.pieces).toHaveLength(105);
    expect(tok.pieces.some((p) => p.type === 'byte')).toBe(false);
    expect(tok.byteFallback).toBe(false);
    expect(tok.pieces[3]).toEqual({ piece: '\u2581', score: -0, type: 'normal' });
  });

  test('garbled protobuf is TOKENIZER_INVALID, never a crash', () => {
    const good = new Uint8Array(readFileSync(STORIES260K.tokenizerModel));
    expect(codeOf(() => parseSentencePieceModel(good.subarray(0, 1000), 'cut.model'))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => parseSentencePieceModel(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]), 'huge.model'))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => parseSentencePieceModel(new Uint8Array([0x0b, 0x00]), 'group.model'))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => parseSentencePieceModel(new Uint8Array([]), 'empty.model'))).toBe('TOKENIZER_INVALID');
    // Flip every byte once: each result either parses or fails with a typed error.
    for (let i = 0; i < good.byteLength; i += 29) {
      const copy = new Uint8Array(good);
      copy[i] ^= 0xff;
      try {
        parseSentencePieceModel(copy, 'flipped.model');
      } catch (error) {
        expect(error).toBeInstanceOf(ConvertError);
      }
    }
  });

  test('a unigram model is refused by name', () => {
    const good = new Uint8Array(readFileSync(STORIES260K.tokenizerModel));
    // trainer_spec field 3 (model_type) = 2 (BPE) is encoded as the bytes 0x18 0x02 inside the spec.
    const text = Buffer.from(good);
    const at = text.indexOf(Buffer.from('data/tok512'));
    const modelType = text.indexOf(Buffer.from([0x18, 0x02]), at);
    expect(modelType).toBeGreaterThan(at);
    const unigram = new Uint8Array(good);
    unigram[modelType + 1] = 1;
    expect(() => parseSentencePieceModel(unigram, 'unigram.model')).toThrow(/model_type is unigram/);
  });
});

describe('llama2.c tokenizer .bin', () => {
  test('tok512.bin undoes the export: "\\n<s>\\n" -> <s>, " " -> "▁", <0xXX> are byte pieces', async () => {
    const tok = await readTokenizerFile(STORIES260K.tokenizerBin);
    expect(tok.pieces[1]).toEqual({ piece: '<s>', score: 0, type: 'control' });
    expect(tok.pieces[2]).toEqual({ piece: '</s>', score: 0, type: 'control' });
    expect(tok.pieces[13]).toEqual({ piece: '<0x0A>', score: 0, type: 'byte' });
    expect(tok.pieces[259].piece).toBe('\u2581t');
    const fromModel = await readTokenizerFile(STORIES260K.tokenizerModel);
    expect(tok.pieces).toEqual(fromModel.pieces);
  });

  test('byte pieces written as raw characters (an older export) are recognised', () => {
    const tokens: Array<[string, number]> = [['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0]];
    for (let b = 0; b < 256; b++) tokens.push([String.fromCharCode(b), 0]);
    tokens.push([' a', -1], ['b', -2]);
    const tok = parseLlama2cTokenizer(llama2cBin(tokens), 'old.bin');
    expect(tok.byteFallback).toBe(true);
    expect(tok.pieces[3 + 0x0a]).toEqual({ piece: '<0x0A>', score: 0, type: 'byte' });
    expect(tok.pieces[259]).toEqual({ piece: '\u2581a', score: -1, type: 'normal' });
  });

  test('truncated and garbled files get typed errors', () => {
    const good = new Uint8Array(readFileSync(STORIES260K.tokenizerBin));
    expect(codeOf(() => parseLlama2cTokenizer(good.subarray(0, 2), 't.bin'))).toBe('TOKENIZER_TRUNCATED');
    expect(codeOf(() => parseLlama2cTokenizer(good.subarray(0, good.byteLength - 1), 't.bin'))).toBe('TOKENIZER_TRUNCATED');
    expect(codeOf(() => parseLlama2cTokenizer(good.subarray(0, good.byteLength - 3), 't.bin'))).toBe('TOKENIZER_TRUNCATED');
    const badLength = new Uint8Array(good);
    new DataView(badLength.buffer).setUint32(4 + 4, 99, true); // token 0 longer than max_token_length 7
    expect(codeOf(() => parseLlama2cTokenizer(badLength, 't.bin'))).toBe('TOKENIZER_INVALID');
    const badMax = new Uint8Array(good);
    new DataView(badMax.buffer).setUint32(0, 0, true);
    expect(codeOf(() => parseLlama2cTokenizer(badMax, 't.bin'))).toBe('TOKENIZER_INVALID');
    const nanScore = new Uint8Array(good);
    new DataView(nanScore.buffer).setFloat32(4, Number.NaN, true);
    expect(codeOf(() => parseLlama2cTokenizer(nanScore, 't.bin'))).toBe('TOKENIZER_INVALID');
    expect(codeOf(() => parseLlama2cTokenizer(llama2cBin([['<unk>', 0], ['<s>', 0], ['x', 0]]), 't.bin'))).toBe('TOKENIZER_UNSUPPORTED');
  });

  test('duplicate pieces and a wrong extension are refused', async () => {
    const dup = join(scratch, 'dup.bin');
    writeFileSync(dup, llama2cBin([['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0], [' a', -1], [' a', -2]]));
    await expect(readTokenizerFile(dup)).rejects.toMatchObject({ code: 'TOKENIZER_INVALID' });
    const odd = join(scratch, 'tokenizer.txt');
    writeFileSync(odd, 'x');
    await expect(readTokenizerFile(odd)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readTokenizerFile(join(scratch, 'absent.model'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
