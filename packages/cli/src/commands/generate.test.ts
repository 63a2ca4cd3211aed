import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import type { GenerateResult } from './generate.js';

// llama2.c `./run stories260K.bin -z tok512.bin -t 0 -i "Once upon a time"` (doc/stories260K.md).
const LLAMA2C_GREEDY =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-generate-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function generateJson(args: string[]): Promise<GenerateResult> {
  const run = await runCli(['generate', '--json', '--quiet', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as GenerateResult;
}

describe('layerprune generate (bundled stories260K)', () => {
  it('greedy output begins exactly like llama2.c run.c', async () => {
    const result = await generateJson(['--prompt', 'Once upon a time', '--max-tokens', '64', '--temperature', '0']);
    expect(result.model).toBe(defaultModelDir());
    expect(result.promptTokens).toEqual([1, 403, 407, 261, 378]);
    expect(result.tokens).toHaveLength(64);
    expect(result.finishReason).toBe('max-tokens');
    expect(result.text.startsWith(LLAMA2C_GREEDY), JSON.stringify(result.text)).toBe(true);
  });

  it('prints the text, and says which backend it chose on stderr', async () => {
    const run = await runCli(['generate', '--prompt', 'Once upon a time', '--max-tokens', '20', '--temperature', '0', '--backend', 'wasm']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('Once upon a time, there was a little girl named Lily.')).toBe(true);
    // A TensorFlow.js backend named: the tfjs engine, whatever --engine auto would otherwise pick.
    expect(run.stdout).toMatch(/\(20 tokens, greedy, stopped at max-tokens; [\d.]+ tokens\/s, engine tfjs on wasm\)/);
  });

  it('sampling is reproducible with --seed and reports the seed', async () => {
    const args = ['--prompt', 'The dog', '--max-tokens', '30', '--temperature', '0.9', '--top-p', '0.95', '--seed', '5'];
    const a = await generateJson(args);
    const b = await generateJson(args);
    expect(a.seed).toBe(5);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.text.startsWith('The dog')).toBe(true);
    const c = await generateJson([...args.slice(0, -1), '6']);
    expect(c.tokens).not.toEqual(a.tokens);
  });

  it('fails with one error line for bad options and bad model directories', async () => {
    const bad = await runCli(['generate', '--prompt', 'x', '--top-p', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['error [INVALID_OPTION]: --top-p must be in (0, 1], got 2']);
    const missing = await runCli(['generate', '--prompt', 'x', '--model', join(root, 'nothing')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^error \[[A-Z_]+\]: /);
  });
});
