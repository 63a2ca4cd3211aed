import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { main } from './main.js';
import { STORIES260K } from './testing/fixture-paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'convert-llama2c-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('convert-llama2c CLI', () => {
  let stderr: MockInstance;
  let stdout: MockInstance;
  const written = (spy: MockInstance): string => spy.mock.calls.map((c) => String(c[0])).join('');
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  test('converts and logs what it read', async () => {
    const out = join(scratch, 'ok');
    const code = await main(['--checkpoint', STORIES260K.checkpoint, '--tokenizer', STORIES260K.tokenizerBin, '--out', out, '--name', 'stories260K']);
    expect(code).toBe(0);
    expect(written(stderr)).toContain('dim 64, hidden 172, 5 layers, 8 heads / 4 kv, vocab 512 (tied classifier), seq_len 512');
    expect(written(stderr)).toContain('llama2c-bin, 512 pieces, 165 merges, byte_fallback true');
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });

  test('an existing output fails before any input is read', async () => {
    const out = join(scratch, 'occupied');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const code = await main(['--checkpoint', STORIES260K.checkpoint, '--tokenizer', STORIES260K.tokenizerBin, '--out', out]);
    expect(code).toBe(1);
    expect(written(stderr)).toMatch(/^error \[OUTPUT_EXISTS\]: --out .*occupied exists and is not empty; choose another --out, or pass --force to replace a previous layerprune output\n$/);
    // --force never replaces a directory layerprune did not write.
    expect(await main(['--checkpoint', STORIES260K.checkpoint, '--tokenizer', STORIES260K.tokenizerBin, '--out', out, '--force'])).toBe(1);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  test('usage errors exit 2 with the usage text', async () => {
    expect(await main(['--checkpoint', STORIES260K.checkpoint])).toBe(2);
    expect(written(stderr)).toMatch(/^error \[INVALID_ARGUMENT\]: missing --tokenizer, --out\nUsage: convert-llama2c/);
    expect(await main(['--bogus'])).toBe(2);
    expect(await main(['--help'])).toBe(0);
    expect(written(stdout)).toContain('Usage: convert-llama2c');
  });

  test('conversion errors are one line with their code and exit 1', async () => {
    const code = await main(['--checkpoint', join(scratch, 'absent.bin'), '--tokenizer', STORIES260K.tokenizerBin, '--out', join(scratch, 'x')]);
    expect(code).toBe(1);
    const text = written(stderr);
    expect(text).toMatch(/^error \[FILE_NOT_FOUND\]: .*absent\.bin: no such file\n$/);
    expect(readdirSync(scratch).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
