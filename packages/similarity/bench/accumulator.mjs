// Throughput of DistanceAccumulator on Llama-2-7B-shaped states (L = 32, H = 4096),
// against the floor of the same work: one plain float64-accumulated dot product per pair.
// Run: npm run bench -w @layerprune/similarity (after building).
import { DistanceAccumulator } from '../dist/index.js';

const L = 32;
const H = 4096;
const B = 8;
let seed = 1;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;

function states(T) {
  return Array.from({ length: L + 1 }, () => Float32Array.from({ length: B * T * H }, random));
}

function time(fn, repeats) {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) fn();
  return (performance.now() - t0) / repeats;
}

const pairs = L * (L + 1) / 2 - 1; // all (i, j) with 1 <= j - i <= L - 1
const last = { batch: B, hiddenSize: H, maxLength: 1, lengths: new Array(B).fill(1), hidden: states(1) };
const floorMs = time(() => {
  let s = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i <= L; i++) for (let j = i + 1; j <= L && j - i < L; j++) {
      const x = last.hidden[i];
      const y = last.hidden[j];
      for (let k = b * H; k < (b + 1) * H; k++) s += x[k] * y[k];
    }
  }
  return s;
}, 20);
for (const metric of ['angular', 'magnitude']) {
  const acc = new DistanceAccumulator({ numLayers: L, metric });
  const ms = time(() => acc.add(last), 20);
  console.log(`${metric.padEnd(12)} last token: ${(ms / B).toFixed(2)} ms/sample, ${((B * pairs * H * 2) / ms / 1e6).toFixed(2)} GFLOP/s, ${(ms / floorMs).toFixed(2)}x the plain dot-product loop (${(floorMs / B).toFixed(2)} ms/sample)`);
}
const T = 16;
const all = { batch: B, hiddenSize: H, maxLength: T, lengths: new Array(B).fill(T), hidden: states(T) };
const acc = new DistanceAccumulator({ numLayers: L, metric: 'bi' });
const ms = time(() => acc.add(all), 2);
console.log(`bi           all tokens: ${(ms / (B * T)).toFixed(2)} ms/token (${((ms / (B * T)) / (floorMs / B)).toFixed(2)}x a last-token sample)`);
