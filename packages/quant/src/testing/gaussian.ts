// Seeded standard-normal samples (LCG + Box-Muller), so statistical tests are
// deterministic.
export function gaussian(n: number, seed = 1, std = 1): Float32Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = std * r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(t);
  }
  return out;
}

/** Uniform samples in [lo, hi) from the same kind of generator. */
export function uniformArray(n: number, lo: number, hi: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s + 0.5) / 4294967296) * (hi - lo);
  }
  return out;
}
