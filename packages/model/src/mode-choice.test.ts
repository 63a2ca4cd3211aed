import { describe, expect, it } from 'vitest';
import { parseArchitectureConfig } from '@layerprune/architectures';
import { resolveArchitecture } from './config/resolve-architecture.js';
import { createModelFromProvider, WASM_RESIDENT_LIMIT_BYTES } from './load-model.js';
import { residentWeightBytes } from './memory/estimate-load-memory.js';
import { quietLog } from './testing/random-llama-model.js';
import type { WeightProvider } from './weights/block-weights.js';

// TinyLlama's shape: 1.1B parameters, 4.1 GiB of float32 block and head weights.
const RAW = {
  model_type: 'llama',
  hidden_size: 2048,
  intermediate_size: 5632,
  num_hidden_layers: 22,
  num_attention_heads: 32,
  num_key_value_heads: 4,
  vocab_size: 32000,
};
const config = parseArchitectureConfig(RAW, 'tinyllama/config.json');

/** Creating a streaming engine reads only the embedding and the final norm; no block is touched here. */
const provider: WeightProvider = {
  config,
  embedding: async () => new Float32Array(config.vocabSize * config.hiddenSize),
  finalNorm: async () => new Float32Array(config.hiddenSize).fill(1),
  lmHead: async () => {
    throw new Error('not read when streaming');
  },
  getBlockWeights: async () => {
    throw new Error('not read when streaming');
  },
  close: async () => {},
};

describe('weight mode on wasm', () => {
  it('auto streams a model whose float32 weights exceed the wasm budget; resident is refused', async () => {
    const bytes = residentWeightBytes(resolveArchitecture(config, RAW, 'tinyllama'));
    // 22 blocks of 44.0M parameters and a 65.5M-parameter lm_head, float32.
    expect(bytes).toBe(4 * (22 * (2 * 2048 * 2048 + 2 * 2048 * 256 + 3 * 2048 * 5632 + 2 * 2048) + 2048 * 32000 + 2048));
    expect(bytes).toBeGreaterThan(WASM_RESIDENT_LIMIT_BYTES);
    const model = await createModelFromProvider(provider, { backend: 'wasm', rawConfig: RAW, log: quietLog });
    expect(model.mode).toBe('streaming');
    model.dispose();
    await expect(createModelFromProvider(provider, { backend: 'wasm', mode: 'resident', rawConfig: RAW, log: quietLog })).rejects.toMatchObject({
      code: 'MODEL_TOO_LARGE',
      limit: WASM_RESIDENT_LIMIT_BYTES,
    });
  });
});
