// loadModel refuses, before or while reading weights, what would otherwise give
// wrong numbers or exhaust memory: weights that disagree with config.json, a
// model too large for the machine's memory, NaN / Infinity weights.
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import { resolveArchitecture } from './config/resolve-architecture.js';
import type { ModelError } from './errors.js';
import { createModelFromProvider, loadModel } from './load-model.js';
import { estimateLoadMemoryBytes, residentWeightBytes } from './memory/estimate-load-memory.js';
import { machineMemoryBytes, MEMORY_ENV } from './memory/machine-memory-bytes.js';
import { quietLog } from './testing/random-llama-model.js';
import { randomModel } from './testing/random-model.js';
import type { RandomModel } from './testing/random-model.js';
import { writeRandomModelDir } from './testing/write-random-model-dir.js';
import type { WriteRandomModelOptions } from './testing/write-random-model-dir.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromMap } from './weights/tensor-reader.js';

let root: string;
let counter = 0;

async function writeModel(model: RandomModel, options: WriteRandomModelOptions = {}): Promise<string> {
  const dir = join(root, `model-${counter++}`);
  await writeRandomModelDir(dir, model, options);
  return dir;
}

const failure = (promise: Promise<unknown>): Promise<ModelError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as ModelError,
  );

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-model-checks-'));
  await selectBackend('wasm', quietLog);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('weights vs config.json', () => {
  it('keeps the validation codes of tensor-io, with file, tensor, field and expected vs found', async () => {
    const random = randomModel({ modelType: 'llama', numLayers: 3, seed: 80 });
    const moreLayers = await writeModel(random, { configOverrides: { num_hidden_layers: 4 } });
    expect(await failure(loadModel(moreLayers, { log: quietLog }))).toMatchObject({
      name: 'ModelError',
      code: 'WEIGHTS_MISMATCH',
      field: 'num_hidden_layers',
      expected: 4,
      found: 3,
    });
    const vocab = await writeModel(random, { configOverrides: { vocab_size: 51 } });
    const error = await failure(loadModel(vocab, { log: quietLog }));
    expect(error).toMatchObject({ code: 'SHAPE_MISMATCH', tensor: 'model.embed_tokens.weight', field: 'vocab_size', expected: '[51, 32]', found: '[50, 32]' });
    expect(error.message).toContain('dimension 0 is 50, expected 51 = vocab_size 51');
  });

  it('refuses an unexplained tensor', async () => {
    const random = randomModel({ modelType: 'mistral', seed: 81 });
    random.tensors.set('model.layers.0.self_attn.q_proj.bias', { shape: [32], data: new Float32Array(32) });
    const dir = await writeModel(random);
    const error = await failure(loadModel(dir, { log: quietLog }));
    expect(error).toMatchObject({ code: 'TENSOR_UNEXPECTED', tensor: 'model.layers.0.self_attn.q_proj.bias' });
    expect(error.message).toContain('model_type mistral');
  });
});

describe('memory estimate', () => {
  const random = randomModel({ modelType: 'llama', numLayers: 4, hiddenSize: 32, intermediateSize: 48, vocabSize: 50, seed: 82 });
  const arch = resolveArchitecture(random.config, random.rawConfig, 'random');
  // Per block: q,o 32x32; k,v 16x32 (2 kv heads of 8); gate, up, down 48x32; two norms of 32.
  const block = 2 * 32 * 32 + 2 * 16 * 32 + 3 * 48 * 32 + 2 * 32;
  const embedding = 50 * 32;

  it('counts float32 weights per mode', () => {
    expect(residentWeightBytes(arch)).toBe(4 * (4 * block + embedding + 32));
    expect(estimateLoadMemoryBytes(arch, 'resident')).toBe(4 * (4 * block + embedding + 32) + 4 * embedding);
    expect(estimateLoadMemoryBytes(arch, 'streaming', 'memory')).toBe(4 * (5 * block + 2 * embedding + 32));
    expect(estimateLoadMemoryBytes(arch, 'streaming', 'none')).toBe(4 * (3 * embedding + 3 * block));
  });

  it('counts a tied lm_head once in JS memory when streaming', () => {
    const tied = randomModel({ modelType: 'llama', numLayers: 4, hiddenSize: 32, intermediateSize: 48, vocabSize: 50, tieWordEmbeddings: true, seed: 82 });
    const tiedArch = resolveArchitecture(tied.config, tied.rawConfig, 'random');
    // The embedding array doubles as the lm_head; only the backend copy of the head is extra.
    expect(estimateLoadMemoryBytes(tiedArch, 'streaming', 'none')).toBe(4 * (2 * embedding + 3 * block));
  });

  it('refuses a resident load above the memory budget, naming both estimates and the streaming option', async () => {
    const dir = await writeModel(random);
    const resident = estimateLoadMemoryBytes(arch, 'resident');
    const error = await failure(loadModel(dir, { mode: 'resident', memoryBytes: resident - 1, log: quietLog }));
    expect(error).toMatchObject({ code: 'MODEL_TOO_LARGE', limit: resident - 1, found: `${resident} bytes` });
    expect(error.message).toContain(`loading it resident needs about ${(resident / 1024 ** 3).toPrecision(3)} GiB of float32 weights`);
    expect(error.message).toContain(`more than the ${((resident - 1) / 1024 ** 3).toPrecision(3)} GiB of memory this machine has (${MEMORY_ENV} overrides the figure)`);
    expect(error.message).toContain('use mode "streaming" with weightCache "none" (--mode streaming)');
  });

  it('auto streams, then stops caching, then refuses as the budget shrinks', async () => {
    const dir = await writeModel(random);
    const lines: string[] = [];
    const resident = estimateLoadMemoryBytes(arch, 'resident');
    const cached = estimateLoadMemoryBytes(arch, 'streaming', 'memory');
    const lean = estimateLoadMemoryBytes(arch, 'streaming', 'none');
    expect(lean).toBeLessThan(resident);
    const fits = await loadModel(dir, { memoryBytes: resident, log: quietLog });
    expect(fits.mode).toBe('resident');
    fits.dispose();
    const model = await loadModel(dir, { memoryBytes: resident - 1, log: (l) => lines.push(l) });
    expect(model.mode).toBe('streaming');
    expect(lines.join('\n')).toContain('re-reading each block from disk per pass');
    expect((await model.forward([[1, 2, 3]], { logits: 'last' })).logits).toHaveLength(50);
    model.dispose();
    const explicit = await failure(loadModel(dir, { mode: 'streaming', weightCache: 'memory', memoryBytes: cached - 1, log: quietLog }));
    expect(explicit).toMatchObject({ code: 'MODEL_TOO_LARGE', found: `${cached} bytes` });
    expect(explicit.message).toContain('streaming with weightCache "memory" needs about');
    const tiny = await failure(loadModel(dir, { memoryBytes: lean - 1, log: quietLog }));
    expect(tiny).toMatchObject({ code: 'MODEL_TOO_LARGE' });
    expect(tiny.message).toContain('streaming one block at a time needs about');
    expect(tiny.message).toContain('use a machine with more memory');
  });

  it(`reads the budget from ${MEMORY_ENV}, else the machine`, () => {
    expect(machineMemoryBytes({ [MEMORY_ENV]: '3GiB' })).toBe(3 * 1024 ** 3);
    expect(machineMemoryBytes({})).toBeGreaterThan(0);
    expect(() => machineMemoryBytes({ [MEMORY_ENV]: 'lots' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', field: MEMORY_ENV }));
  });
});

describe('NaN / Infinity weights', () => {
  it('refuses them at load (resident) naming the tensor and the flat index', async () => {
    const random = randomModel({ modelType: 'llama', seed: 83 });
    random.tensors.get('model.layers.1.mlp.down_proj.weight')!.data[7] = Number.NaN;
    const dir = await writeModel(random);
    const error = await failure(loadModel(dir, { mode: 'resident', log: quietLog }));
    expect(error).toMatchObject({ code: 'NON_FINITE_WEIGHT', tensor: 'model.layers.1.mlp.down_proj.weight', found: 'NaN' });
    expect(error.message).toBe(`${dir}: tensor model.layers.1.mlp.down_proj.weight holds NaN at flat index 7; weights must be finite numbers`);
  });

  it('refuses them when a streamed block is first read', async () => {
    const random = randomModel({ modelType: 'qwen2', seed: 84 });
    random.tensors.get('model.layers.2.self_attn.v_proj.bias')!.data[0] = -Infinity;
    const dir = await writeModel(random);
    const model = await loadModel(dir, { mode: 'streaming', log: quietLog });
    const error = await failure(model.forward([[1, 2, 3]], { logits: 'last' }));
    expect(error).toMatchObject({ code: 'NON_FINITE_WEIGHT', tensor: 'model.layers.2.self_attn.v_proj.bias', found: '-Infinity' });
    model.dispose();
  });

  it('refuses a NaN in a qwen3 q_norm weight', async () => {
    const random = randomModel({ modelType: 'qwen3', seed: 87 });
    random.tensors.get('model.layers.1.self_attn.q_norm.weight')!.data[3] = Number.NaN;
    const dir = await writeModel(random);
    const error = await failure(loadModel(dir, { mode: 'resident', log: quietLog }));
    expect(error).toMatchObject({ code: 'NON_FINITE_WEIGHT', tensor: 'model.layers.1.self_attn.q_norm.weight', found: 'NaN' });
  });

  it('checks weights from any provider, the embedding included', async () => {
    const random = randomModel({ modelType: 'llama', tieWordEmbeddings: true, seed: 85 });
    random.tensors.get('model.embed_tokens.weight')!.data[100] = Infinity;
    const provider = new HfWeightProvider(random.config, readerFromMap(random.tensors));
    const error = await failure(createModelFromProvider(provider, { backend: 'wasm', mode: 'resident', rawConfig: random.rawConfig, log: quietLog }));
    expect(error).toMatchObject({ code: 'NON_FINITE_WEIGHT', tensor: 'model.embed_tokens.weight', found: 'Infinity' });
    expect(error.message).toContain('at flat index 100');
  });
});

describe('files of the directory', () => {
  it('refuses a config.json that is a symlink to outside the directory', async () => {
    const random = randomModel({ modelType: 'llama', seed: 86 });
    const dir = await writeModel(random);
    const outside = join(root, 'outside-config.json');
    await writeFile(outside, JSON.stringify(random.rawConfig));
    await rm(join(dir, 'config.json'));
    await symlink(outside, join(dir, 'config.json'));
    expect(await failure(loadModel(dir, { log: quietLog }))).toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, 'config.json') });
  });
});
