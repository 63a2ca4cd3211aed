// The mask worker draws exactly the in-thread masks (lora's blockDropoutMaskValues,
// what the tfjs trainer uses), reuses released buffers, and falls back to
// drawing in-thread when its worker cannot start or dies mid-request.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockDropoutMaskValues, SeededRng } from '@layerprune/lora';
import { describe, expect, it, vi } from 'vitest';
import { DropoutMaskSource, maskWorkerPath } from './dropout-mask-source.js';

const MODULES = [
  { name: 'model.layers.0.self_attn.q_proj', inFeatures: 48 },
  { name: 'model.layers.0.mlp.down_proj', inFeatures: 96 },
  { name: 'model.layers.0.mlp.up_proj', inFeatures: 48 },
];
const ROWS = 40;

function expectSameMasks(actual: Map<string, Float32Array>, state: [number, number, number, number], p: number): void {
  const expected = blockDropoutMaskValues(state, ROWS, MODULES, p);
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, values] of expected) expect(actual.get(name)).toEqual(values);
}

describe('DropoutMaskSource', () => {
  it('draws on its worker the masks lora draws in-thread, block after block, reusing released buffers', async () => {
    const source = new DropoutMaskSource();
    expect(source.threaded).toBe(true);
    // No thread until masks are asked for (training without dropout never starts one).
    const started = () => (source as unknown as { worker: unknown }).worker !== null;
    expect(started()).toBe(false);
    const rng = new SeededRng(5);
    const states = Array.from({ length: 4 }, () => rng.fork().getState());
    // Two requests in flight at once, as the trainer overlaps blocks.
    const [first, second] = await Promise.all([source.masks(states[0], ROWS, MODULES, 0.3), source.masks(states[1], ROWS, MODULES, 0.3)]);
    expect(started()).toBe(true);
    expectSameMasks(first, states[0], 0.3);
    expectSameMasks(second, states[1], 0.3);
    source.release(first);
    const third = await source.masks(states[2], ROWS, MODULES, 0.1);
    expectSameMasks(third, states[2], 0.1);
    // The released buffers went to the worker again (transferred, so detached here): reused, not reallocated.
    expect([...first.values()].map((m) => m.byteLength)).toEqual([0, 0, 0]);
    // second was not released: its buffers were not handed out again
    expectSameMasks(second, states[1], 0.3);
    await source.dispose();
    expect(source.threaded).toBe(false);
    expectSameMasks(await source.masks(states[3], ROWS, MODULES, 0.3), states[3], 0.3);
  });

  it('draws in-thread when asked to, or when the worker script is missing', async () => {
    const state = new SeededRng(8).getState();
    for (const source of [new DropoutMaskSource({ useWorker: false }), new DropoutMaskSource({ workerPath: join(tmpdir(), 'no-such-mask-worker.js') })]) {
      expect(source.threaded).toBe(false);
      expectSameMasks(await source.masks(state, ROWS, MODULES, 0.5), state, 0.5);
      await source.dispose();
    }
  });

  it('redoes the requests in flight in-thread when the worker dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mask-worker-'));
    const dying = join(dir, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    const source = new DropoutMaskSource({ workerPath: dying });
    expect(source.threaded).toBe(true);
    const state = new SeededRng(13).getState();
    expectSameMasks(await source.masks(state, ROWS, MODULES, 0.2), state, 0.2);
    expect(source.threaded).toBe(false);
    await source.dispose();
  });

  it('draws in-thread when no thread can be created', async () => {
    vi.resetModules();
    vi.doMock('node:worker_threads', () => ({
      Worker: class {
        constructor() {
          throw Object.assign(new Error('Cannot create a thread'), { code: 'ERR_WORKER_INIT_FAILED' });
        }
      },
    }));
    try {
      const { DropoutMaskSource: Source } = await import('./dropout-mask-source.js');
      const source = new Source();
      const state = new SeededRng(21).getState();
      expectSameMasks(await source.masks(state, ROWS, MODULES, 0.4), state, 0.4);
      expect(source.threaded).toBe(false);
      await source.dispose();
    } finally {
      vi.doUnmock('node:worker_threads');
      vi.resetModules();
    }
  });

  it('finds the compiled worker script', () => {
    expect(maskWorkerPath()).toMatch(/dist[/\\]training[/\\]mask-worker\.js$/);
  });
});
