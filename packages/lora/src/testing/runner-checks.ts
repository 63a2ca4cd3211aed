// Checks every per-architecture training test makes of the tfjs LoraRunner: its
// adapter gradients against central finite differences of the float64 reference
// loss, and a few plain gradient steps lowering the loss (a 4-bit base included).
import { expect } from 'vitest';
import type { FrozenBase } from '../frozen-base.js';
import type { LoraAdapters } from '../lora-adapters.js';
import { LoraRunner } from '../lora-runner.js';
import { compareWithFiniteDifferences, toReference } from './finite-differences.js';
import { referenceLoss } from './reference-llama-f64.js';
import type { TinyModel } from './tiny-model.js';

/** Asserts the runner's loss equals the reference's and every `stride`-th gradient entry its finite difference (2e-3 relative). */
export function expectGradientsMatchFiniteDifferences(label: string, model: TinyModel, base: FrozenBase, adapters: LoraAdapters, batch: number[][], stride: number): void {
  const runner = new LoraRunner(base, adapters);
  try {
    const grads = adapters.parameters().map((p) => new Float32Array(p.length));
    const { loss } = runner.lossAndGradients(batch, grads, 1, null);
    const refAdapters = toReference(adapters);
    const refLoss = () => referenceLoss(model.config, model.weights, refAdapters, adapters.scaling, batch);
    expect(loss).toBeCloseTo(refLoss(), 5);
    const { checked, worst, gradScale } = compareWithFiniteDifferences(adapters, grads, refAdapters, refLoss, stride);
    console.log(`${label} LoRA gradients vs finite differences: ${checked} entries, worst relative error ${worst.toExponential(2)}, largest gradient ${gradScale.toExponential(2)}`);
    expect(checked).toBeGreaterThan(300);
    expect(gradScale).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(2e-3);
  } finally {
    runner.dispose();
  }
}

/** Five plain gradient steps (lr 0.5) on `batch`: the loss is finite and lower after them. */
export function expectLossFalls(base: FrozenBase, adapters: LoraAdapters, batch: number[][]): void {
  const runner = new LoraRunner(base, adapters);
  try {
    const params = adapters.parameters();
    const before = runner.loss(batch).loss;
    for (let step = 0; step < 5; step++) {
      const grads = params.map((p) => new Float32Array(p.length));
      runner.lossAndGradients(batch, grads, 1, null);
      params.forEach((p, i) => p.forEach((_, j) => (p[j] -= 0.5 * grads[i][j])));
    }
    const after = runner.loss(batch).loss;
    expect(Number.isFinite(after)).toBe(true);
    expect(after).toBeLessThan(before);
  } finally {
    runner.dispose();
  }
}
