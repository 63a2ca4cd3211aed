// Test helper: LoRA adapter gradients against central finite differences of the
// float64 reference loss, for every module and both matrices (a stride keeps it fast).
import type { LoraAdapters } from '../lora-adapters.js';
import type { ReferenceAdapters } from './reference-llama-f64.js';

/** The adapters as float64 copies the reference forward takes (one per stored module: a fused one whole). */
export function toReference(adapters: LoraAdapters): ReferenceAdapters {
  const map: ReferenceAdapters = new Map();
  for (const m of adapters.modules) map.set(`${m.layer}.${m.name}`, { a: Float64Array.from(m.a), b: Float64Array.from(m.b), rank: adapters.config.rank });
  return map;
}

export interface FiniteDifferenceCheck {
  /** Entries compared. */
  checked: number;
  /** Largest |fd - g| / (|fd| + 1e-3). */
  worst: number;
  /** Largest |fd|: shows the gradients compared are not all ~0. */
  gradScale: number;
}

/**
 * `grads[2i]`, `grads[2i + 1]`: the gradients of module i's A and B (LoraAdapters.parameters() order);
 * `loss()` evaluates the reference loss with `reference` as it is (entries are perturbed in place).
 */
export function compareWithFiniteDifferences(adapters: LoraAdapters, grads: Float32Array[], reference: ReferenceAdapters, loss: () => number, stride: number, eps = 1e-5): FiniteDifferenceCheck {
  let checked = 0;
  let worst = 0;
  let gradScale = 0;
  adapters.modules.forEach((module, pi) => {
    const ref = reference.get(`${module.layer}.${module.name}`)!;
    for (const [which, arr] of [['a', ref.a], ['b', ref.b]] as const) {
      const g = grads[2 * pi + (which === 'a' ? 0 : 1)];
      for (let i = pi % stride; i < arr.length; i += stride) {
        const keep = arr[i];
        arr[i] = keep + eps;
        const up = loss();
        arr[i] = keep - eps;
        const down = loss();
        arr[i] = keep;
        const fd = (up - down) / (2 * eps);
        worst = Math.max(worst, Math.abs(fd - g[i]) / (Math.abs(fd) + 1e-3));
        gradScale = Math.max(gradScale, Math.abs(fd));
        checked += 1;
      }
    }
  });
  return { checked, worst, gradScale };
}
