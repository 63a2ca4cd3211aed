import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import { maxAbsDiff, quietLog, randomLlamaModel } from './testing/random-llama-model.js';

const SEQUENCES = [
  [1, 3, 5, 7, 9, 11],
  [1, 2, 4],
];

describe('cpu and wasm backends', () => {
  afterAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  it('give the same logits and hidden states to 1e-4', async () => {
    const spec = { modelType: 'mistral' as const, numLayers: 2, slidingWindow: 3, seed: 31 };
    const wasm = await randomLlamaModel(spec, { backend: 'wasm' });
    const a = await wasm.model.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    wasm.model.dispose();
    const cpu = await randomLlamaModel(spec, { backend: 'cpu' });
    expect(cpu.model.backend).toBe('cpu');
    const b = await cpu.model.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    cpu.model.dispose();
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-4);
    a.hidden!.forEach((h, l) => expect(maxAbsDiff(h, b.hidden![l])).toBeLessThan(1e-4));
  });
});
