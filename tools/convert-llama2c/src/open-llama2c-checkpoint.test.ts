import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConvertError } from './convert-error.js';
import { openLlama2cCheckpoint } from './open-llama2c-checkpoint.js';
import { BABYLLAMA, STORIES260K } from './testing/fixture-paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'convert-llama2c-ckpt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function variant(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

function withHeader(source: Uint8Array, field: number, value: number): Uint8Array {
  const copy = new Uint8Array(source);
  new DataView(copy.buffer).setInt32(field * 4, value, true);
  return copy;
}

async function failure(path: string): Promise<ConvertError> {
  try {
    const ckpt = await openLlama2cCheckpoint(path);
    await ckpt.close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConvertError);
    return error as ConvertError;
  }
  throw new Error(`${path} opened without error`);
}

describe('the fixtures are the published files', () => {
  // sha256 recorded when the originals were downloaded (their SOURCE.txt and the fixture manifest):
  // the checkpoints rebuilt from the bundled models and the header + freq_cis excerpts are byte-identical.
  const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

  test('stories260K.bin, tok512.bin, tok512.model', () => {
    expect(sha256(STORIES260K.checkpoint)).toBe('b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696');
    expect(sha256(STORIES260K.tokenizerBin)).toBe('037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312');
    expect(sha256(STORIES260K.tokenizerModel)).toBe('fec6aa960a1fb3ebf71d26f9b0e486afcbd76c34cf0fbfb93e21126ca9f778d3');
  });

  test('BabyLlama model5000.bin, tok105.bin, tok105.model', () => {
    expect(sha256(BABYLLAMA.checkpoint)).toBe('98b63851593002f0ab706ff1db61fd9f5fd73d89df34970dd66eced9ee954464');
    expect(sha256(BABYLLAMA.tokenizerBin)).toBe('ed5b86f93a112884acc19e32357a0c93caca6e98ef10a16e589c64cb41250109');
    expect(sha256(BABYLLAMA.tokenizerModel)).toBe('eed6827c1b4d876b982b9b628626dba444960a041857085e0d88c4a92aa8d3c6');
  });
});

describe('openLlama2cCheckpoint on the fixtures', () => {
  test('stories260K: header from SOURCE.txt, file size accounted for to the byte', async () => {
    const ckpt = await openLlama2cCheckpoint(STORIES260K.checkpoint);
    try {
      expect(ckpt.header).toMatchObject({ dim: 64, hiddenDim: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 512, seqLen: 512, sharedClassifier: true, headSize: 8, kvDim: 32 });
      expect(ckpt.layout.expectedFileBytes).toBe(1_056_540);
      expect(ckpt.layout.arrays.map((a) => a.name)).not.toContain('wcls');
      // wk of layer 2: offset from run.c's memory_map_weights, computed here by hand.
      const raw = readFileSync(STORIES260K.checkpoint);
      const wkStart = 28 + 4 * (512 * 64 + 5 * 64 + 5 * 64 * 64 + 2 * 32 * 64);
      const expected = new Float32Array(raw.buffer.slice(raw.byteOffset + wkStart, raw.byteOffset + wkStart + 32 * 64 * 4));
      expect(await ckpt.read('wk', 2)).toEqual(expected);
    } finally {
      await ckpt.close();
    }
  });

  test('BabyLlama: dim 128, 5 layers, 8/4 heads, vocab 105, tied', async () => {
    const ckpt = await openLlama2cCheckpoint(BABYLLAMA.checkpoint);
    expect(ckpt.header).toMatchObject({ dim: 128, hiddenDim: 352, nLayers: 5, nHeads: 8, nKvHeads: 4, vocabSize: 105, seqLen: 256, sharedClassifier: true });
    expect(ckpt.fileBytes).toBe(3_762_204);
    await ckpt.close();
  });
});

describe('typed errors for broken checkpoints', () => {
  const good = new Uint8Array(readFileSync(STORIES260K.checkpoint));

  test('missing file', async () => {
    expect((await failure(join(scratch, 'absent.bin'))).code).toBe('FILE_NOT_FOUND');
  });

  test('shorter than the header', async () => {
    const error = await failure(variant('tiny.bin', good.subarray(0, 20)));
    expect(error.code).toBe('CHECKPOINT_TOO_SMALL');
    expect(error.message).toContain('28-byte');
  });

  test('truncated by one float', async () => {
    const error = await failure(variant('truncated.bin', good.subarray(0, good.byteLength - 4)));
    expect(error.code).toBe('CHECKPOINT_TRUNCATED');
    expect(error.limit).toBe(1_056_540);
  });

  test('trailing bytes, with a hint when they are exactly one classifier', async () => {
    const oneMore = new Uint8Array(good.byteLength + 4);
    oneMore.set(good);
    expect((await failure(variant('trailing.bin', oneMore))).code).toBe('CHECKPOINT_TRAILING_BYTES');
    const withClassifier = new Uint8Array(good.byteLength + 512 * 64 * 4);
    withClassifier.set(good);
    const error = await failure(variant('classifier.bin', withClassifier));
    expect(error.code).toBe('CHECKPOINT_TRAILING_BYTES');
    expect(error.message).toContain('vocab_size meant to be negative');
  });

  test('negative vocab_size expects an untied classifier after the weights', async () => {
    expect((await failure(variant('untied.bin', withHeader(good, 5, -512)))).code).toBe('CHECKPOINT_TRUNCATED');
  });

  test('garbled header fields name the field', async () => {
    const cases: Array<[number, number, string]> = [
      [0, 0, 'dim'],
      [0, 1 << 20, 'dim'],
      [2, -3, 'n_layers'],
      [3, 7, 'n_heads'], // 64 % 7 != 0
      [3, 64, 'n_heads'], // head size 1 is odd
      [4, 3, 'n_kv_heads'], // 8 % 3 != 0
      [6, 0, 'seq_len'],
    ];
    for (const [field, value, name] of cases) {
      const error = await failure(variant(`header-${field}-${value}.bin`, withHeader(good, field, value)));
      expect(error.code, `${name}=${value}`).toBe('CHECKPOINT_HEADER_INVALID');
      expect(error.field).toBe(name);
    }
  });

  test('llama2.c version-1 exports ("ak42" magic) are refused by name', async () => {
    const v1 = new Uint8Array(256);
    new DataView(v1.buffer).setUint32(0, 0x616b3432, true);
    new DataView(v1.buffer).setInt32(4, 1, true);
    const error = await failure(variant('v1.bin', v1));
    expect(error.code).toBe('CHECKPOINT_UNSUPPORTED_VERSION');
  });

  test('a NaN in a weight is reported with its array and layer', async () => {
    const corrupt = new Uint8Array(good);
    const wvLayer1 = 28 + 4 * (512 * 64 + 5 * 64 + 5 * 64 * 64 + 5 * 32 * 64 + 32 * 64);
    new DataView(corrupt.buffer).setFloat32(wvLayer1 + 4 * 10, Number.NaN, true);
    const ckpt = await openLlama2cCheckpoint(variant('nan.bin', corrupt));
    try {
      await expect(ckpt.read('wv', 0)).resolves.toHaveLength(32 * 64);
      await expect(ckpt.read('wv', 1)).rejects.toMatchObject({ code: 'NON_FINITE_WEIGHT', field: 'wv' });
      await expect(ckpt.read('wv', 1)).rejects.toThrow('wv[layer 1] element 10');
    } finally {
      await ckpt.close();
    }
  });
});
