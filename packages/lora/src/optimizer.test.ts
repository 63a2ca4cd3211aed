import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { cosineWithWarmup } from './cosine-schedule.js';
import { SeededRng } from '@layerprune/data';

describe('AdamW', () => {
  it('follows the torch.optim.AdamW algorithm (float64 reference written from its documentation)', () => {
    const rng = new SeededRng(1);
    const p = new Float32Array(7);
    rng.fillUniform(p, -1, 1);
    const ref = Float64Array.from(p);
    const m = new Float64Array(7);
    const v = new Float64Array(7);
    const [b1, b2, eps, wd] = [0.9, 0.95, 1e-6, 0.1];
    const opt = new AdamW([p], { beta1: b1, beta2: b2, eps, weightDecay: wd });
    for (let t = 1; t <= 5; t++) {
      const g = new Float32Array(7);
      rng.fillUniform(g, -2, 2);
      const lr = 1e-2 * t;
      opt.step([p], [g], lr);
      for (let i = 0; i < 7; i++) {
        ref[i] -= lr * wd * ref[i]; // theta_t <- theta_{t-1} - gamma*lambda*theta_{t-1}
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        const mHat = m[i] / (1 - b1 ** t);
        const vHat = v[i] / (1 - b2 ** t);
        ref[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    }
    for (let i = 0; i < 7; i++) expect(p[i]).toBeCloseTo(ref[i], 6);
    expect(opt.state.step).toBe(5);
  });
});

describe('cosine schedule with warmup', () => {
  it('matches transformers get_cosine_schedule_with_warmup at known points', () => {
    // warmup 10, total 110: linear up to 1 at step 10, 0.5 at the middle of the decay, 0 at the end
    expect(cosineWithWarmup(0, 10, 110)).toBe(0);
    expect(cosineWithWarmup(5, 10, 110)).toBeCloseTo(0.5, 12);
    expect(cosineWithWarmup(10, 10, 110)).toBeCloseTo(1, 12);
    expect(cosineWithWarmup(60, 10, 110)).toBeCloseTo(0.5, 12);
    expect(cosineWithWarmup(35, 10, 110)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.25)), 12);
    expect(cosineWithWarmup(110, 10, 110)).toBeCloseTo(0, 12);
  });
});

describe('clipGradNorm', () => {
  it('returns the global norm and rescales to max_norm / (norm + 1e-6) only above it', () => {
    const g = [Float32Array.from([3, 0]), Float32Array.from([0, 4])];
    expect(clipGradNorm(g, 10)).toBeCloseTo(5, 6);
    expect([...g[0], ...g[1]]).toEqual([3, 0, 0, 4]);
    expect(clipGradNorm(g, 1)).toBeCloseTo(5, 6);
    const scale = 1 / (5 + 1e-6);
    expect(g[0][0]).toBeCloseTo(3 * scale, 6);
    expect(g[1][1]).toBeCloseTo(4 * scale, 6);
  });
});

describe('SeededRng', () => {
  it('continues the same stream from a saved state', () => {
    const a = new SeededRng(7);
    for (let i = 0; i < 10; i++) a.nextUint32();
    const b = new SeededRng(a.getState());
    const xs = Array.from({ length: 5 }, () => a.nextFloat());
    const ys = Array.from({ length: 5 }, () => b.nextFloat());
    expect(ys).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
  });
});
