// torch.nn.utils.clip_grad_norm_ over plain arrays: the global L2 norm of all
// gradients, and a rescale by max_norm / (norm + 1e-6) when that is below 1.

/** Returns the norm before clipping (what the Trainer logs as grad_norm). */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  const norm = Math.sqrt(sum);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}
