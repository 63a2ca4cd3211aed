// Training plugs into the engine through the linear-delta hook: gradients of a
// loss with respect to injected low-rank parameters must be right on every
// backend. Checked against central finite differences of the independent
// float64 reference, where x @ A @ B on a module's input is the same as adding
// (A @ B)^T to its [out, in] weight.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.js';
import { createRng } from '../generate/create-rng.js';
import { quietLog, randomLlamaModel } from '../testing/random-llama-model.js';
import { referenceForward } from '../testing/reference-forward.js';
import type { InMemoryTensor } from '../weights/tensor-reader.js';
import type { LinearDeltaHook } from './linear-delta.js';
import { matMul2d } from './mat-mul.js';
import type { TfjsEngine } from './tfjs-engine.js';

const TOKENS = [1, 7, 3, 22, 9, 14];
const RANK = 2;

interface Adapter {
  layer: number;
  module: 'q_proj' | 'v_proj' | 'down_proj';
  path: string;
  inF: number;
  outF: number;
}

const ADAPTERS: Adapter[] = [
  { layer: 0, module: 'q_proj', path: 'model.layers.0.self_attn.q_proj.weight', inF: 32, outF: 32 },
  { layer: 1, module: 'v_proj', path: 'model.layers.1.self_attn.v_proj.weight', inF: 32, outF: 16 },
  { layer: 1, module: 'down_proj', path: 'model.layers.1.mlp.down_proj.weight', inF: 48, outF: 32 },
];

function randomArray(n: number, seed: number, scale: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng() - 0.5) * 2 * scale);
}

describe('gradients through the engine with injected linear deltas', () => {
  afterAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  const cases = [
    { backend: 'wasm', mode: 'resident' },
    { backend: 'wasm', mode: 'streaming' },
    { backend: 'cpu', mode: 'resident' },
  ] as const;
  for (const { backend, mode } of cases) {
    it(`match float64 finite differences on ${backend}, ${mode} weights`, async () => {
      const { model, random } = await randomLlamaModel({ modelType: 'llama', numLayers: 2, seed: 41 }, { backend, mode });
      const engine = model.engine as TfjsEngine;
      const V = random.config.vocabSize;
      const T = TOKENS.length;
      const weightsR = randomArray(T * V, 5, 1);
      const params = ADAPTERS.flatMap((a, i) => [randomArray(a.inF * RANK, 100 + i, 0.3), randomArray(RANK * a.outF, 200 + i, 0.3)]);

      // Engine: loss = sum(logits * R), gradients by tf.grads through the hook.
      const ctx = engine.createContext({ batch: 1, queryLength: T });
      const blocks = [await engine.acquireBlock(0), await engine.acquireBlock(1)];
      const head = await engine.acquireHead();
      const R = tf.tensor2d(weightsR, [T, V]);
      const variables = ADAPTERS.flatMap((a, i) => [tf.tensor2d(params[2 * i], [a.inF, RANK]), tf.tensor2d(params[2 * i + 1], [RANK, a.outF])]);
      const loss = (...p: tf.Tensor[]) => {
        const hook: LinearDeltaHook = (layer, module, input) => {
          const i = ADAPTERS.findIndex((a) => a.layer === layer && a.module === module);
          return i < 0 ? null : matMul2d(matMul2d(input, p[2 * i] as tf.Tensor2D), p[2 * i + 1] as tf.Tensor2D);
        };
        let x = engine.embed(TOKENS);
        for (const block of blocks) x = engine.runBlock(block, x, ctx, { linearDelta: hook });
        return tf.sum(tf.mul(engine.logits(x, head), R));
      };
      const grads = tf.grads(loss)(variables).map((g) => g.dataSync().slice());
      tf.dispose([...variables, R]);
      blocks.forEach((b) => b.release());
      head.release();
      ctx.dispose();
      model.dispose();

      // Reference: the same adapters folded into float64 weights, differentiated numerically.
      const referenceLoss = (values: Float32Array[]): number => {
        const tensors = new Map<string, InMemoryTensor>(random.tensors);
        ADAPTERS.forEach((a, i) => {
          const base = random.tensors.get(a.path)!;
          const data = Float32Array.from(base.data);
          const A = values[2 * i];
          const B = values[2 * i + 1];
          for (let o = 0; o < a.outF; o++) {
            for (let j = 0; j < a.inF; j++) {
              let s = 0;
              for (let r = 0; r < RANK; r++) s += A[j * RANK + r] * B[r * a.outF + o];
              data[o * a.inF + j] += s;
            }
          }
          tensors.set(a.path, { shape: base.shape, data });
        });
        // Float32Array weights: perturbations below are large enough (1e-2) to survive rounding.
        const ref = referenceForward(random.rawConfig, tensors, TOKENS);
        let total = 0;
        ref.logits.forEach((row, t) => row.forEach((v, k) => (total += v * weightsR[t * V + k])));
        return total;
      };
      const eps = 1e-2;
      const pick = createRng(9);
      for (let p = 0; p < params.length; p++) {
        for (let k = 0; k < 4; k++) {
          const index = Math.floor(pick() * params[p].length);
          const plus = params.map((a) => a.slice());
          const minus = params.map((a) => a.slice());
          plus[p][index] += eps;
          minus[p][index] -= eps;
          const numeric = (referenceLoss(plus) - referenceLoss(minus)) / (2 * eps);
          expect(Math.abs(grads[p][index] - numeric)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
        }
      }
    });
  }
});
