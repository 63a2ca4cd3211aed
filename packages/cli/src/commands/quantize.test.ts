import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openQuantizedWeights } from '@layerprune/quant';
import { writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import yargs from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandContext } from '../cli/command-context.js';
import { commandRuntime } from '../cli/define-command.js';
import { formatErrorLine } from '../cli/errors.js';
import { quantizeCommand } from './quantize-options.js';
import { renderQuantize, runQuantize, type QuantizeCommandResult } from './quantize.js';

let root: string;
let model: string;

/** A 2-layer random llama (hidden 32) written with tensor-io. */
async function writeSmallLlama(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  let seed = 11;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 0.2 - 0.1;
  const tensor = (name: string, shape: number[]): TensorSource => {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, random);
    return { name, dtype: 'F32', shape, read: () => values };
  };
  const tensors = [tensor('model.embed_tokens.weight', [24, 32])];
  for (let l = 0; l < 2; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(tensor(`${p}input_layernorm.weight`, [32]), tensor(`${p}post_attention_layernorm.weight`, [32]));
    for (const proj of ['q', 'k', 'v', 'o']) tensors.push(tensor(`${p}self_attn.${proj}_proj.weight`, [32, 32]));
    for (const proj of ['gate', 'up']) tensors.push(tensor(`${p}mlp.${proj}_proj.weight`, [48, 32]));
    tensors.push(tensor(`${p}mlp.down_proj.weight`, [32, 48]));
  }
  tensors.push(tensor('model.norm.weight', [32]), tensor('lm_head.weight', [24, 32]));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const config = {
    model_type: 'llama',
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    rms_norm_eps: 1e-5,
    vocab_size: 24,
    max_position_embeddings: 64,
    tie_word_embeddings: false,
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

/** Runs the command module through yargs as main() does, capturing stdout and stderr. */
async function runCommand(args: string[]): Promise<{ stdout: string; stderr: string; error: unknown }> {
  const out = capture();
  const err = capture();
  commandRuntime.streams = { stdout: out.stream, stderr: err.stream };
  let error: unknown = null;
  try {
    await yargs()
      .option('json', { type: 'boolean', global: true })
      .option('quiet', { type: 'boolean', global: true })
      .command(quantizeCommand)
      .strict()
      .exitProcess(false)
      .fail((message, e) => {
        throw e ?? new Error(message);
      })
      .parseAsync(args);
  } catch (e) {
    error = e;
  } finally {
    commandRuntime.streams = {};
  }
  return { stdout: out.text(), stderr: err.text(), error };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-quantize-'));
  model = join(root, 'model');
  await writeSmallLlama(model);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('layerprune quantize', () => {
  it('prints the per-tensor result as JSON and writes a directory the quant reader loads', async () => {
    const out = join(root, 'nf4');
    const run = await runCommand(['quantize', '--model', model, '--out', out, '--double-quant', '--json', '--quiet']);
    expect(run.error).toBeNull();
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as QuantizeCommandResult;
    expect(result).toMatchObject({ type: 'nf4', blockSize: 64, doubleQuant: true, out });
    expect(result.tensors).toHaveLength(21);
    const quantized = result.tensors.filter((t) => t.action === 'quantized');
    expect(quantized.map((t) => t.name)).toHaveLength(14);
    for (const t of quantized) {
      // Uniform weights: NF4 (made for Gaussians) loses a bit more than 0.092 of the std.
      expect(t.relativeRmse).toBeGreaterThan(0.05);
      expect(t.relativeRmse).toBeLessThan(0.15);
      expect(t.maxAbsError).toBeLessThan(0.1 * 0.35); // half the widest NF4 gap times absmax <= 0.1
    }
    expect(result.tensors.find((t) => t.name === 'lm_head.weight')).toMatchObject({ action: 'kept', relativeRmse: null });
    expect(result.totals.bytesAfter).toBeLessThan(result.totals.bytesBefore);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.quantization_config).toMatchObject({ bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true });
    const weights = await openQuantizedWeights(out);
    expect(weights.entry('model.layers.1.mlp.down_proj.weight')).toMatchObject({ kind: 'nf4', shape: [32, 48] });
    await weights.close();
  });

  it('shows progress per tensor on stderr and a human table with the totals', async () => {
    const out = join(root, 'fp4');
    const run = await runCommand(['quantize', '--model', model, '--out', out, '--type', 'fp4', '--block-size', '32']);
    expect(run.error).toBeNull();
    expect(run.stderr).toMatch(/quantize: 21\/21 tensors/);
    expect(run.stdout).toContain('format fp4, block 32');
    expect(run.stdout).toMatch(/model\.layers\.0\.mlp\.up_proj\.weight\s+48x32\s+F32\s+quantized\s+0\.\d{4}\s+0\.\d{5}\s+6\.0 KiB\s+[\d.]+ KiB/);
    expect(run.stdout).toMatch(/total \(14 of 21 quantized\)/);
    expect(run.stdout).toContain('rel.RMSE = RMSE of the dequantized weight / standard deviation of the weight');
  });

  it('renders int8 without a block size', async () => {
    const ctx = createCommandContext({ quiet: true });
    const result = await runQuantize({ model, out: join(root, 'int8'), type: 'int8' }, ctx);
    expect(result.blockSize).toBeNull();
    expect(renderQuantize(result)).toContain('format int8 (row-wise absmax)');
    expect(await readdir(join(root, 'int8'))).toContain('model.safetensors');
  });

  it('fails with one typed line for a bad block size or an existing output', async () => {
    const bad = await runCommand(['quantize', '--model', model, '--out', join(root, 'bad'), '--block-size', '100', '--quiet']);
    expect(formatErrorLine(bad.error)).toMatch(/^error \[BLOCK_SIZE_OUT_OF_RANGE\]: block size 100 /);
    const exists = await runCommand(['quantize', '--model', model, '--out', join(root, 'nf4'), '--quiet']);
    expect(formatErrorLine(exists.error)).toMatch(/^error \[OUTPUT_EXISTS\]: --out .*nf4 exists and is not empty; .*--force/);
    const forced = await runCommand(['quantize', '--model', model, '--out', join(root, 'nf4'), '--force', '--quiet', '--json']);
    expect(forced.error).toBeNull();
  });
});
