import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadTokenizer } from './load-tokenizer.js';
import type { Tokenizer } from './load-tokenizer.js';
import { TokenizerError } from './tokenizer-error.js';

// The converted models committed in packages/assets (see their SOURCE.md).
const ASSETS = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'assets');
const STORIES260K = join(ASSETS, 'models', 'stories260K');
const BABYLLAMA = join(ASSETS, 'test-models', 'babyllama-tok105');
const HELDOUT = join(ASSETS, 'data', 'tinystories-heldout.txt');

const scratch = mkdtempSync(join(tmpdir(), 'model-tokenizer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadTokenizer on the bundled stories260K', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(STORIES260K);
  });

  test('ids of llama2.c: "Once upon a time" -> [1, 403, 407, 261, 378]', () => {
    expect(tok.vocabSize).toBe(512);
    expect(tok.bosId).toBe(1);
    expect(tok.eosId).toBe(2);
    expect(tok.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
    expect(tok.encode('Once upon a time', { addBos: false })).toEqual([403, 407, 261, 378]);
    expect(tok.encode('')).toEqual([1]);
  });

  test('decode leaves out BOS and the leading space, like run.c prints it', () => {
    expect(tok.decode([1, 403, 407, 261, 378])).toBe('Once upon a time');
    expect(tok.decode([1, 403, 407], { skipSpecialTokens: false })).toBe('<s> Once upon');
    expect(tok.decode([])).toBe('');
  });

  test('every held-out paragraph round-trips exactly; newlines and unseen characters go through byte pieces', () => {
    const docs = readFileSync(HELDOUT, 'utf8').replace(/\n$/, '').split('\n\n');
    expect(docs.length).toBeGreaterThan(900);
    let tokens = 0;
    for (const doc of docs) {
      const ids = tok.encode(doc);
      tokens += ids.length;
      expect(tok.decode(ids)).toBe(doc);
    }
    // Merges happen: fewer tokens (BOS included) than bytes.
    const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
    expect(tokens).toBeLessThan(bytes);
    const text = 'a\nb 日本 🦙';
    const ids = tok.encode(text, { addBos: false });
    expect(ids).toContain(13); // <0x0A>
    expect(ids.every((id) => id !== 0)).toBe(true); // never <unk> with byte fallback
    expect(tok.decode(ids)).toBe(text);
  });

  test('ids outside the vocabulary are a typed error', () => {
    expect(() => tok.decode([1, 512])).toThrow(TokenizerError);
    expect(() => tok.decode([-1])).toThrow(/token id -1 at position 0 is outside \[0, 512\)/);
    expect(() => tok.decode([1.5])).toThrow(TokenizerError);
  });
});

describe('loadTokenizer on BabyLlama tok105 (no byte fallback)', () => {
  test('runs of unknown characters become one <unk>, as sentencepiece and Rust tokenizers (fuse_unk) do', async () => {
    const tok = await loadTokenizer(BABYLLAMA);
    expect(tok.vocabSize).toBe(105);
    const ids = tok.encode('a日本b');
    expect(ids).toEqual([1, 3, tok.encode('a', { addBos: false })[1], 0, tok.encode('b', { addBos: false })[1]]);
    expect(tok.decode(ids)).toBe('ab');
    expect(tok.decode(ids, { skipSpecialTokens: false })).toBe('<s> a<unk>b');
    expect(tok.decode(tok.encode('Once upon a time, Lily.'))).toBe('Once upon a time, Lily.');
  });
});

describe('typed errors for broken directories', () => {
  function copyModel(name: string): string {
    const dir = join(scratch, name);
    cpSync(STORIES260K, dir, { recursive: true, filter: (src) => !src.endsWith('.safetensors') });
    return dir;
  }

  test('missing directory or tokenizer.json', async () => {
    await expect(loadTokenizer(join(scratch, 'absent'))).rejects.toMatchObject({ code: 'TOKENIZER_NOT_FOUND' });
    const dir = copyModel('no-tokenizer');
    rmSync(join(dir, 'tokenizer.json'));
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer\.json: cannot read/);
  });

  test('tokenizer.json that is not JSON, or not a tokenizer', async () => {
    const dir = copyModel('bad-json');
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_INVALID' });
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": {"type": "Nonsense"}, "added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null}');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_INVALID' });
  });

  test('tokenizer_config.json with a BOS token outside the vocabulary', async () => {
    const dir = copyModel('bad-config');
    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, bos_token: '<bos>' }));
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_CONFIG_INVALID', field: 'bos_token' });
    writeFileSync(join(dir, 'tokenizer_config.json'), '[1]');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_CONFIG_INVALID' });
  });

  test('without tokenizer_config.json, BOS/EOS come from special_tokens_map.json, and AddedToken objects are accepted', async () => {
    const dir = copyModel('no-config');
    rmSync(join(dir, 'tokenizer_config.json'));
    writeFileSync(join(dir, 'special_tokens_map.json'), JSON.stringify({ bos_token: { content: '<s>' }, eos_token: '</s>' }));
    const tok = await loadTokenizer(dir);
    expect([tok.bosId, tok.eosId]).toEqual([1, 2]);
    expect(tok.encode('Once')).toEqual([1, 403]);
    rmSync(join(dir, 'special_tokens_map.json'));
    const bare = await loadTokenizer(dir);
    expect([bare.bosId, bare.eosId]).toEqual([null, null]);
    expect(bare.encode('Once')).toEqual([403]);
  });
});

describe('the fast sentencepiece-BPE encoder inside loadTokenizer', () => {
  // What encode() returned before the fast encoder: the library's ids, BOS first, consecutive <unk> fused.
  function libraryEncode(dir: string, text: string, addBos: boolean): number[] {
    const hf = new HfTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
    const out = addBos ? [1] : [];
    for (const id of hf.encode(text, { add_special_tokens: false }).ids) if (!(id === 0 && out[out.length - 1] === 0)) out.push(id);
    return out;
  }
  const texts = ['', ' ', 'Once upon a time', 'a<unk>日本<unk>b', '<s>hi</s>', ' 🦙\n\ttab  two', 'a\ud800b'];

  test.each([STORIES260K, BABYLLAMA])('encode() is unchanged for %s', async (dir) => {
    const tok = await loadTokenizer(dir);
    for (const text of texts) {
      expect(tok.encode(text)).toEqual(libraryEncode(dir, text, true));
      expect(tok.encode(text, { addBos: false })).toEqual(libraryEncode(dir, text, false));
    }
  });

  test('a file the fast encoder does not take (an lstrip added token) still loads and encodes through the library', async () => {
    const dir = join(scratch, 'lstrip');
    cpSync(STORIES260K, dir, { recursive: true, filter: (src) => !src.endsWith('.safetensors') });
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { added_tokens: Array<{ lstrip: boolean }> };
    json.added_tokens[2].lstrip = true; // "</s>" eats the spaces before it
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const tok = await loadTokenizer(dir);
    expect(tok.encode('The end   </s>')).toEqual(libraryEncode(dir, 'The end   </s>', true));
    expect(tok.encode('The end   </s>')).toEqual(tok.encode('The end</s>'));
  });
});
