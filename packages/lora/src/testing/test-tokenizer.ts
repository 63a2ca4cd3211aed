// The tokenizer for tests on the bundled model: @layerprune/model's loader when it
// exports one, else tokenizer.json through @huggingface/tokenizers directly.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TextEncoder } from '../load-packed-data.js';

export async function loadTestTokenizer(dir: string): Promise<TextEncoder> {
  const model = (await import('@layerprune/model')) as unknown as { loadTokenizer?: (dir: string) => Promise<TextEncoder> };
  if (typeof model.loadTokenizer === 'function') return model.loadTokenizer(dir);
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8'));
  const tokenizer = new Tokenizer(json, config);
  return { encode: (text) => tokenizer.encode(text).ids };
}
