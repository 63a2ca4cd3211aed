import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDir } from '@layerprune/assets';
import { writeSafetensors } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { dequantize4bit } from './dequantize-4bit.js';
import { dequantizeInt8Rowwise } from './dequantize-int8-rowwise.js';
import { isQuantizedModelDir } from './is-quantized-model-dir.js';
import { openQuantizedWeights } from './open-quantized-weights.js';
import { quantize4bit } from './quantize-4bit.js';
import { quantizeInt8Rowwise } from './quantize-int8-rowwise.js';
import { quantizeModelDir } from './quantize-model-dir.js';
import { makeTempDir, removeDir, writeTinyModel, type TinyModel } from './testing/tiny-model-dir.js';

let root: string;
let model: TinyModel;

async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
  return out;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

beforeAll(async () => {
  root = await makeTempDir();
  model = await writeTinyModel(join(root, 'tiny'));
});
afterAll(async () => {
  await removeDir(root);
});

describe('quantizeModelDir', () => {
  it('writes NF4 + double quant next to untouched copies of the other tensors, and leaves the input alone', async () => {
    const before = await fingerprint(model.dir);
    const events: string[] = [];
    const out = join(root, 'nf4');
    const result = await quantizeModelDir(model.dir, out, {
      type: 'nf4',
      doubleQuant: true,
      onTensor: ({ index, total, report }) => events.push(`${index + 1}/${total} ${report.action} ${report.name}`),
    });
    expect(await fingerprint(model.dir)).toEqual(before);
    expect((await readdir(root)).sort()).toEqual(['nf4', 'tiny']); // no temporary directory left
    expect(result.files).toEqual(['README.md', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json']);
    expect(events).toHaveLength(model.tensors.size);
    expect(events.filter((e) => e.includes(' quantized '))).toHaveLength(14); // 7 linears x 2 blocks
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card.startsWith(`---\nbase_model: ${JSON.stringify(model.dir)}\ntags:\n- "layerprune"\n- "quantized"\n`)).toBe(true);
    expect(card).toContain('- Type: nf4, block size 64 (bitsandbytes 4-bit layout)\n- Double quantization of the absmax scales: yes\n');
    expect(card).toContain(`- Tensors quantized: 14; kept unquantized, in their source dtype and bytes: ${model.tensors.size - 14}\n`);
    expect(card).toContain(`## Original model card\n\n${await readFile(join(model.dir, 'README.md'), 'utf8')}`);

    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.hidden_size).toBe(64);
    expect(config.quantization_config).toMatchObject({
      quant_method: 'bitsandbytes',
      load_in_4bit: true,
      load_in_8bit: false,
      bnb_4bit_quant_type: 'nf4',
      bnb_4bit_use_double_quant: true,
      bnb_4bit_compute_dtype: 'float32',
      bnb_4bit_quant_storage: 'uint8',
      llm_int8_skip_modules: ['lm_head'],
    });
    expect(await isQuantizedModelDir(out)).toBe(true);
    expect(await isQuantizedModelDir(model.dir)).toBe(false);

    // Per-tensor errors: Gaussian linears lose ~9% of their std; kept tensors none.
    const quantized = result.tensors.filter((t) => t.action === 'quantized');
    const written = await openModelDir(out);
    for (const t of quantized) {
      expect(t.error!.relativeRmse).toBeGreaterThan(0.07);
      expect(t.error!.relativeRmse).toBeLessThan(0.11);
      // Packed codes, one U8 absmax per 64 values, one F32 per 256 blocks, the 16- and
      // 256-value maps and the JSON state (whose length is read from the file).
      const blocks = Math.ceil(t.params / 64);
      const json = written.weights.info(`${t.name}.quant_state.bitsandbytes__nf4`).byteLength;
      expect(t.bytesAfter).toBe(t.params / 2 + blocks + 4 * Math.ceil(blocks / 256) + 4 * 16 + 4 * 256 + json);
      expect(t.bytesBefore).toBe(4 * t.params);
    }
    await written.close();
    expect(result.tensors.filter((t) => t.action === 'kept').every((t) => t.error === null && t.bytesAfter === t.bytesBefore)).toBe(true);
    expect(result.totals.quantizedTensors).toBe(14);
    const quantizedBytes = quantized.reduce((a, t) => a + t.bytesAfter, 0);
    const quantizedParams = quantized.reduce((a, t) => a + t.params, 0);
    expect(result.totals.bitsPerQuantizedParam).toBeCloseTo((8 * quantizedBytes) / quantizedParams, 10);
    expect(result.totals.bytesAfter).toBeLessThan(result.totals.bytesBefore);

    // The reader gives the original names: dense tensors byte-exact, quantized ones
    // exactly what dequantizing a fresh quantization of the input gives.
    const weights = await openQuantizedWeights(out);
    try {
      expect(weights.names().sort()).toEqual([...model.tensors.keys()].sort());
      expect(weights.quantization).toMatchObject({ quantType: 'nf4', doubleQuant: true, loadIn4bit: true });
      for (const [name, tensor] of model.tensors) {
        const entry = weights.entry(name);
        expect(entry.shape).toEqual(tensor.shape);
        const loaded = await weights.load(name);
        if (loaded.kind === 'dense') {
          expect(same(loaded.data, tensor.values)).toBe(true);
          expect(name.startsWith('model.layers.') && name.endsWith('_proj.weight')).toBe(false);
        } else {
          expect(loaded.kind).toBe('nf4');
          const expected = dequantize4bit(quantize4bit(tensor.values, { doubleQuant: true, shape: tensor.shape }));
          expect(same(loaded.dequantize(), expected)).toBe(true);
          const cols = tensor.shape[1];
          expect(same(await weights.readFloat32(name, { rows: [3, 5] }), expected.subarray(3 * cols, 5 * cols))).toBe(true);
        }
      }
      const embed = await weights.readFloat32('model.embed_tokens.weight', { rows: [1, 2] });
      expect(same(embed, model.tensors.get('model.embed_tokens.weight')!.values.subarray(64, 128))).toBe(true);
      await expect(weights.load('model.layers.9.mlp.up_proj.weight')).rejects.toMatchObject({ code: 'TENSOR_NOT_FOUND' });
    } finally {
      await weights.close();
    }
    // The output is still a valid model directory for tensor-io.
    const reopened = await openModelDir(out);
    expect(reopened.weights.has('model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__nf4')).toBe(true);
    expect(reopened.weights.info('model.layers.0.mlp.up_proj.weight')).toMatchObject({ dtype: 'U8', shape: [(96 * 64) / 2, 1] });
    await reopened.close();
  });

  it('writes row-wise int8 with SCB, keeps BF16 tensors as BF16 and records the source dtype', async () => {
    const bf16 = await writeTinyModel(join(root, 'tiny-bf16'), { dtype: 'BF16', layers: 1 });
    const out = join(root, 'int8');
    const result = await quantizeModelDir(bf16.dir, out, { type: 'int8', quantizeLmHead: true });
    expect(result.totals.quantizedTensors).toBe(8);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.quantization_config).toMatchObject({ load_in_8bit: true, load_in_4bit: false, llm_int8_skip_modules: [] });
    const weights = await openQuantizedWeights(out);
    try {
      expect(weights.model.weights.info('model.layers.0.mlp.up_proj.SCB')).toMatchObject({ dtype: 'F32', shape: [96] });
      expect(weights.model.weights.info('model.norm.weight').dtype).toBe('BF16');
      const up = bf16.tensors.get('model.layers.0.mlp.up_proj.weight')!;
      const loaded = await weights.load('model.layers.0.mlp.up_proj.weight');
      expect(loaded.kind).toBe('int8');
      expect(same(await weights.readFloat32('model.layers.0.mlp.up_proj.weight'), dequantizeInt8Rowwise(quantizeInt8Rowwise(up.values, up.shape)))).toBe(true);
    } finally {
      await weights.close();
    }
    const nf4 = await quantizeModelDir(bf16.dir, join(root, 'bf16-nf4'), { type: 'fp4', blockSize: 128 });
    const reader = await openModelDir(nf4.outputDir);
    const json = new TextDecoder().decode(await reader.weights.readRaw('model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__fp4'));
    await reader.close();
    expect(json).toBe('{"quant_type": "fp4", "blocksize": 128, "dtype": "bfloat16", "shape": [96, 64]}');
  });

  it('refuses to overwrite, to write inside the input or to quantize twice, unless overwriting is asked', async () => {
    const out = join(root, 'nf4');
    const before = await fingerprint(out);
    await expect(quantizeModelDir(model.dir, out)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await fingerprint(out)).toEqual(before);
    await expect(quantizeModelDir(model.dir, model.dir, { overwrite: true })).rejects.toMatchObject({ code: 'OUTPUT_IS_INPUT' });
    await expect(quantizeModelDir(model.dir, root, { overwrite: true })).rejects.toMatchObject({ code: 'INPUT_INSIDE_OUTPUT' });
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    await expect(quantizeModelDir(model.dir, foreign, { overwrite: true })).rejects.toMatchObject({ code: 'OUTPUT_NOT_OURS' });
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(quantizeModelDir(model.dir, join(model.dir, 'q'))).rejects.toMatchObject({ code: 'OUTPUT_INSIDE_INPUT' });
    await expect(quantizeModelDir(out, join(root, 'twice'))).rejects.toMatchObject({ code: 'ALREADY_QUANTIZED' });
    await expect(quantizeModelDir(model.dir, join(root, 'bad-block'), { blockSize: 48 })).rejects.toMatchObject({ code: 'BLOCK_SIZE_OUT_OF_RANGE' });
    const replaced = await quantizeModelDir(model.dir, out, { type: 'fp4', overwrite: true, skipModules: ['model.layers.1.mlp.down_proj'] });
    expect(replaced.type).toBe('fp4');
    const quantization = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).quantization_config;
    expect(quantization.bnb_4bit_quant_type).toBe('fp4');
    expect(quantization.llm_int8_skip_modules).toEqual(['lm_head', 'model.layers.1.mlp.down_proj']);
    const weights = await openQuantizedWeights(out);
    expect(weights.entry('model.layers.1.mlp.down_proj.weight').kind).toBe('dense');
    expect(weights.entry('model.layers.0.mlp.down_proj.weight').kind).toBe('fp4');
    await weights.close();
  });

  it('fails on a non-finite weight naming the tensor and index, creating nothing', async () => {
    const dir = join(root, 'nan-model');
    await writeTinyModel(dir, { layers: 1 });
    const bad = new Float32Array(96 * 64).fill(0.01);
    bad[1234] = Number.NaN;
    const reader = await openModelDir(dir);
    const names = reader.weights.names();
    const sources = await Promise.all(
      names.map(async (name) => {
        const info = reader.weights.info(name);
        const bytes = name === 'model.layers.0.mlp.gate_proj.weight' ? new Uint8Array(bad.buffer) : await reader.weights.readRaw(name);
        return { name, dtype: info.dtype, shape: info.shape, read: () => bytes };
      }),
    );
    await reader.close();
    await writeSafetensors(join(dir, 'model.safetensors'), sources);
    const entriesBefore = (await readdir(root)).sort();
    await expect(quantizeModelDir(dir, join(root, 'nan-out'))).rejects.toMatchObject({
      code: 'NON_FINITE_WEIGHT',
      tensor: 'model.layers.0.mlp.gate_proj.weight',
      index: 1234,
    });
    expect((await readdir(root)).sort()).toEqual(entriesBefore);
  });

  it('quantizes the bundled stories260K: trained weights lose about 0.092 of their std too', async () => {
    const result = await quantizeModelDir(defaultModelDir(), join(root, 'stories-nf4'), { type: 'nf4', doubleQuant: true });
    expect(result.totals.quantizedTensors).toBe(35); // 5 blocks x 7 linears
    for (const t of result.tensors.filter((r) => r.action === 'quantized')) {
      expect(t.error!.relativeRmse, t.name).toBeGreaterThan(0.08);
      expect(t.error!.relativeRmse, t.name).toBeLessThan(0.105);
    }
    expect(result.totals.relativeRmse).toBeGreaterThan(0.088);
    expect(result.totals.relativeRmse).toBeLessThan(0.095);
    expect(result.files).toContain('tokenizer.json');
    const weights = await openQuantizedWeights(result.outputDir);
    const original = await openModelDir(defaultModelDir());
    try {
      const name = 'model.layers.2.mlp.down_proj.weight';
      const values = await original.weights.readFloat32(name);
      const shape = original.weights.info(name).shape;
      const expected = dequantize4bit(quantize4bit(values, { doubleQuant: true, shape }));
      expect(same(await weights.readFloat32(name), expected)).toBe(true);
    } finally {
      await weights.close();
      await original.close();
    }
  });
});
