import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { openSafetensors } from '@layerprune/tensor-io';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convertLlama2c } from './convert-llama2c.js';
import type { ConvertLlama2cResult } from './convert-llama2c.js';
import { rotateHalfToInterleaved } from './rotary-permutation.js';
import { BABYLLAMA, BUNDLED_BABYLLAMA, BUNDLED_STORIES260K, STORIES260K } from './testing/fixture-paths.js';
import { argmax, hfReference, llama2cReference, readLlama2cWeights } from './testing/reference-forward.js';
import type { ReferenceModel } from './testing/reference-forward.js';

/** Float64 generation loops take a few seconds; allow for a machine shared with other jobs. */
const SLOW_TEST_TIMEOUT_MS = 180_000;

const scratch = mkdtempSync(join(tmpdir(), 'convert-llama2c-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function readAll(path: string): Promise<Map<string, Float32Array>> {
  const reader = await openSafetensors(path);
  try {
    const out = new Map<string, Float32Array>();
    for (const name of reader.tensors.keys()) out.set(name, await reader.readFloat32(name));
    return out;
  } finally {
    await reader.close();
  }
}

function readJson(path: string): Record<string, number | boolean> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number | boolean>;
}

/** Index of the first element where a and b differ (-1 when identical); far faster than toEqual on big arrays. */
function firstDifference(a: ArrayLike<number> | undefined, b: ArrayLike<number>): number {
  if (a === undefined || a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** run.c's generate loop, greedy: feed the prompt, then argmax until `steps` positions or BOS. */
function greedy(model: ReferenceModel, prompt: number[], steps: number): number[] {
  const tokens = [...prompt];
  let next = prompt[0];
  for (let pos = 0; pos < steps; pos++) {
    const logits = model.step(tokens[pos] ?? next);
    next = pos + 1 < prompt.length ? prompt[pos + 1] : argmax(logits);
    if (pos + 1 >= prompt.length) {
      if (next === 1) break;
      tokens.push(next);
    }
  }
  return tokens;
}

describe('stories260K converted from llama2.c', () => {
  let out: string;
  let result: ConvertLlama2cResult;
  let tensors: Map<string, Float32Array>;
  let config: Record<string, number | boolean>;
  let tokenizer: Tokenizer;
  const raw = new Uint8Array(readFileSync(STORIES260K.checkpoint));

  beforeAll(async () => {
    out = join(scratch, 'stories260K');
    result = await convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: STORIES260K.tokenizerModel, out, name: 'stories260K' });
    tensors = await readAll(join(out, 'model.safetensors'));
    config = readJson(join(out, 'config.json'));
    tokenizer = new Tokenizer(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')));
  });

  test('writes a Hugging Face Llama directory', () => {
    expect(result.files).toEqual([
      'SOURCE.txt',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer.model',
      'tokenizer_config.json',
    ]);
    // Plus the marker that lets --force replace this output later (and nothing else).
    expect(readdirSync(out).sort()).toEqual(['.layerprune-output.json', ...result.files]);
    // Every float of the file but the two skipped freq_cis tables (seq_len x head_size/2 each).
    expect(result.parameters).toBe((1_056_540 - 28) / 4 - 2 * 512 * 4);
    expect(config).toMatchObject({
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 172,
      num_hidden_layers: 5,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      vocab_size: 512,
      max_position_embeddings: 512,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: true,
      bos_token_id: 1,
      eos_token_id: 2,
    });
    expect(tensors.has('lm_head.weight')).toBe(false);
    expect(tensors.size).toBe(2 + 5 * 9);
    expect(readFileSync(join(out, 'SOURCE.txt'), 'utf8')).toBe(readFileSync(STORIES260K.source, 'utf8'));
  });

  test('every tensor equals its fp32 slice of the .bin (q/k after undoing the rotary permutation)', () => {
    const { weights } = readLlama2cWeights(raw);
    expect(firstDifference(tensors.get('model.embed_tokens.weight'), weights.embed)).toBe(-1);
    expect(firstDifference(tensors.get('model.norm.weight'), weights.norm)).toBe(-1);
    weights.layers.forEach((lw, l) => {
      const t = (suffix: string): Float32Array => tensors.get(`model.layers.${l}.${suffix}`) as Float32Array;
      expect(firstDifference(t('input_layernorm.weight'), lw.attnNorm)).toBe(-1);
      expect(firstDifference(rotateHalfToInterleaved(t('self_attn.q_proj.weight'), 8, 8, 64), lw.wq)).toBe(-1);
      expect(firstDifference(rotateHalfToInterleaved(t('self_attn.k_proj.weight'), 4, 8, 64), lw.wk)).toBe(-1);
      expect(firstDifference(t('self_attn.q_proj.weight'), lw.wq)).not.toBe(-1);
      expect(firstDifference(t('self_attn.v_proj.weight'), lw.wv)).toBe(-1);
      expect(firstDifference(t('self_attn.o_proj.weight'), lw.wo)).toBe(-1);
      expect(firstDifference(t('post_attention_layernorm.weight'), lw.ffnNorm)).toBe(-1);
      expect(firstDifference(t('mlp.gate_proj.weight'), lw.gate)).toBe(-1);
      expect(firstDifference(t('mlp.up_proj.weight'), lw.up)).toBe(-1);
      expect(firstDifference(t('mlp.down_proj.weight'), lw.down)).toBe(-1);
    });
  });

  test('float64 forward: rotate-half on the converted weights = run.c interleaved on the .bin', () => {
    const hf = hfReference(config, tensors);
    const l2c = llama2cReference(raw);
    for (const token of [1, 403, 407, 261, 378, 13, 500]) {
      const a = hf.step(token);
      const b = l2c.step(token);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-9);
    }
  });

  test('greedy generation with no prompt prints exactly llama2.c doc/stories260K.md', () => {
    const golden = readFileSync(new URL('./testing/golden/stories260K-greedy.txt', import.meta.url), 'utf8');
    const tokens = greedy(hfReference(config, tensors), [1], 256);
    expect(tokens.length).toBe(1 + 256); // BOS, then one token per step as run.c prints them
    expect(tokenizer.decode(tokens, { skip_special_tokens: true })).toBe(golden);
  }, SLOW_TEST_TIMEOUT_MS);

  test('greedy generation from "Once upon a time" gives the issue\'s acceptance text', () => {
    const prompt = tokenizer.encode('Once upon a time').ids;
    expect(prompt).toEqual([1, 403, 407, 261, 378]);
    const tokens = greedy(hfReference(config, tensors), prompt, prompt.length + 64);
    expect(tokenizer.decode(tokens, { skip_special_tokens: true })).toMatch(
      /^Once upon a time, there was a little girl named Lily\. She loved to play outside in the park\. One day, she saw a big, red ball\. She wanted to play with it, but it was too high\.\nLily/,
    );
  }, SLOW_TEST_TIMEOUT_MS);

  test('the default model committed in packages/assets is exactly this conversion', () => {
    for (const file of result.files) {
      expect(readFileSync(join(BUNDLED_STORIES260K, file)).equals(readFileSync(join(out, file))), file).toBe(true);
    }
  });

  test('converting twice gives identical bytes; .bin and .model tokenizers give the same directory', async () => {
    const again = join(scratch, 'stories260K-bin-tokenizer');
    await convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: STORIES260K.tokenizerBin, out: again, name: 'stories260K' });
    for (const file of result.files.filter((f) => f !== 'tokenizer.model')) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(out, file))), file).toBe(true);
    }
    expect(existsSync(join(again, 'tokenizer.model'))).toBe(false);
  });
});

describe('BabyLlama (tok105) converted from llama2.c', () => {
  test('same logits and the same greedy continuation as run.c\'s layout', async () => {
    const out = join(scratch, 'babyllama');
    const result = await convertLlama2c({ checkpoint: BABYLLAMA.checkpoint, tokenizer: BABYLLAMA.tokenizerModel, out, name: 'babyllama-tok105' });
    for (const file of result.files) {
      expect(readFileSync(join(BUNDLED_BABYLLAMA, file)).equals(readFileSync(join(out, file))), `committed test model: ${file}`).toBe(true);
    }
    expect(result.tokenizer).toEqual({ format: 'sentencepiece-model', vocabSize: 105, merges: 0, byteFallback: false });
    const config = readJson(join(out, 'config.json'));
    expect(config).toMatchObject({ hidden_size: 128, intermediate_size: 352, num_key_value_heads: 4, vocab_size: 105, max_position_embeddings: 256 });
    const tensors = await readAll(join(out, 'model.safetensors'));
    const raw = new Uint8Array(readFileSync(BABYLLAMA.checkpoint));
    const hf = hfReference(config, tensors);
    const l2c = llama2cReference(raw);
    for (const token of [1, 3, 24, 6, 4]) expect(maxAbsDiff(hf.step(token), l2c.step(token))).toBeLessThan(1e-9);
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')));
    const prompt = tokenizer.encode('Once upon a time').ids;
    const a = greedy(hfReference(config, tensors), prompt, prompt.length + 40);
    const b = greedy(llama2cReference(raw), prompt, prompt.length + 40);
    expect(a).toEqual(b);
    expect(tokenizer.decode(a, { skip_special_tokens: true }).startsWith('Once upon a time')).toBe(true);
  }, SLOW_TEST_TIMEOUT_MS);
});

describe('failures leave nothing behind', () => {
  test('a tokenizer of another vocabulary size is TOKENIZER_MISMATCH and no output appears', async () => {
    const out = join(scratch, 'mismatch');
    await expect(convertLlama2c({ checkpoint: BABYLLAMA.checkpoint, tokenizer: STORIES260K.tokenizerBin, out })).rejects.toMatchObject({ code: 'TOKENIZER_MISMATCH' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.includes('.layerprune-tmp-'))).toEqual([]);
  });

  test('a tokenizer .bin cut at a token boundary is caught by the vocabulary size check', async () => {
    const bytes = readFileSync(STORIES260K.tokenizerBin);
    let lastEntry = 4;
    for (let pos = 4; pos < bytes.length; pos += 8 + bytes.readUInt32LE(pos + 4)) lastEntry = pos;
    const cut = join(scratch, 'cut.bin');
    writeFileSync(cut, bytes.subarray(0, lastEntry));
    await expect(convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: cut, out: join(scratch, 'cut') })).rejects.toMatchObject({
      code: 'TOKENIZER_MISMATCH',
      message: expect.stringContaining('511 tokens'),
    });
  });

  test('an existing output directory is kept unless --force', async () => {
    const out = join(scratch, 'existing');
    await convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: STORIES260K.tokenizerBin, out });
    writeFileSync(join(out, 'marker'), 'x');
    await expect(convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: STORIES260K.tokenizerBin, out })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(existsSync(join(out, 'marker'))).toBe(true);
    await convertLlama2c({ checkpoint: STORIES260K.checkpoint, tokenizer: STORIES260K.tokenizerBin, out, force: true });
    expect(existsSync(join(out, 'marker'))).toBe(false);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
    expect(readdirSync(scratch).filter((f) => f.includes('.replaced-') || f.includes('.layerprune-tmp-'))).toEqual([]);
  });
});
