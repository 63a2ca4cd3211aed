// Streaming keeps the weights in the provider and materialises one block at a
// time: the backend's tensor memory during a forward pass stays near one block
// plus activations, whatever the number of layers.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.js';
import { createModelFromProvider } from '../load-model.js';
import { quietLog } from '../testing/random-llama-model.js';
import { randomModel } from '../testing/random-model.js';
import { HfWeightProvider } from '../weights/hf-weight-provider.js';
import type { BlockWeights } from '../weights/block-weights.js';
import { readerFromMap } from '../weights/tensor-reader.js';

function blockBytes(weights: BlockWeights): number {
  const arrays = [weights.inputLayernorm, weights.postAttentionLayernorm, ...Object.values(weights.linear), ...Object.values(weights.bias)];
  return arrays.reduce((sum, a) => sum + (a?.byteLength ?? 0), 0);
}

describe('streaming mode', () => {
  it('holds one block of weights on the backend at a time', async () => {
    await selectBackend('wasm', quietLog);
    const random = randomModel({ modelType: 'llama', numLayers: 8, hiddenSize: 64, intermediateSize: 256, vocabSize: 32, seed: 71 });
    const provider = new HfWeightProvider(random.config, readerFromMap(random.tensors));
    const block = blockBytes(await provider.getBlockWeights(0));
    const peaks: number[] = [];
    const getBlockWeights = provider.getBlockWeights.bind(provider);
    // Sampled whenever the engine asks for the next block, i.e. while the previous one is materialised.
    provider.getBlockWeights = async (layer) => {
      peaks.push(tf.memory().numBytes);
      return getBlockWeights(layer);
    };
    const tokens = [[1, 2, 3, 4, 5, 6]];
    for (const mode of ['streaming', 'resident'] as const) {
      const before = tf.memory().numBytes;
      const model = await createModelFromProvider(provider, { backend: 'wasm', mode, rawConfig: random.rawConfig, log: quietLog });
      const held = tf.memory().numBytes - before;
      peaks.length = 0;
      await model.forward(tokens, { logits: 'all', hidden: 'all' });
      if (mode === 'streaming') {
        expect(held).toBeLessThan(block / 4); // final norm only
        expect(peaks).toHaveLength(8);
        // one block, plus small activations, rotary tables and masks
        for (const peak of peaks) expect(peak - before).toBeLessThan(1.5 * block);
      } else {
        expect(held).toBeGreaterThan(8 * block);
      }
      model.dispose();
      expect(tf.memory().numBytes).toBe(before);
    }
  });
});
