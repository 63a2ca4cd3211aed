// Acceptance: the bundled stories260K, greedy, reproduces llama2.c's run.c output.
import { defaultModelDir } from '@layerprune/assets';
import { describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import { quietLog } from './testing/random-llama-model.js';
import { loadTokenizer } from './tokenizer/index.js';

const DEFAULT_MODEL_DIR = defaultModelDir();

// llama2.c doc/stories260K.md, `./run stories260K.bin -z tok512.bin -t 0 -i "Once upon a time"`.
const EXPECTED_PREFIX =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily';

describe('the default model stories260K', () => {
  it('greedy generation from "Once upon a time" matches llama2.c', async () => {
    const tokenizer = await loadTokenizer(DEFAULT_MODEL_DIR);
    const prompt = tokenizer.encode('Once upon a time');
    expect(prompt).toEqual([1, 403, 407, 261, 378]);
    const model = await loadModel(DEFAULT_MODEL_DIR, { log: quietLog });
    // As `layerprune generate --max-tokens 64 --temperature 0`; the expected text is a prefix.
    const generated = await model.generate(prompt, { maxTokens: 64, temperature: 0 });
    model.dispose();
    const text = tokenizer.decode([...prompt, ...generated]);
    expect(text.startsWith(EXPECTED_PREFIX), JSON.stringify(text)).toBe(true);
  });
});
