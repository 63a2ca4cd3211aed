// AdamW with decoupled weight decay, step for step as torch.optim.AdamW
// (amsgrad=False, maximize=False): decay p by lr*wd first, then the Adam update
// with bias corrections, eps added after dividing sqrt(v) by sqrt(bc2).

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** transformers' TrainingArguments defaults (adam_beta1/2, adam_epsilon, weight_decay). */
export const DEFAULT_ADAMW: Readonly<AdamWOptions> = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });

export interface AdamWState {
  /** Number of updates applied so far (torch's per-parameter `step`, equal for all here). */
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  readonly options: AdamWOptions;
  state: AdamWState;

  constructor(params: readonly Float32Array[], options: Partial<AdamWOptions> = {}, state?: AdamWState) {
    this.options = { ...DEFAULT_ADAMW, ...options };
    this.state = state ?? { step: 0, m: params.map((p) => new Float32Array(p.length)), v: params.map((p) => new Float32Array(p.length)) };
  }

  /** Updates `params` in place from `grads` (same order and lengths as at construction). */
  step(params: readonly Float32Array[], grads: readonly Float32Array[], lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.options;
    this.state.step += 1;
    const t = this.state.step;
    const bc1 = 1 - beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = lr / bc1;
    const decay = 1 - lr * weightDecay;
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const g = grads[k];
      const m = this.state.m[k];
      const v = this.state.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = beta1 * m[i] + (1 - beta1) * gi;
        const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
      }
    }
  }
}
