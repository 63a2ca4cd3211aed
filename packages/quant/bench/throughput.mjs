// Quantize / dequantize throughput on a 4096 x 4096 Gaussian matrix, single
// thread, plus the error and storage figures of each format. Run with
// `npm run bench` after `nx run @layerprune/quant:build`.
// Times are CPU time of this process (process.cpuUsage) and the best of several
// repetitions, so other work on a shared machine distorts them less; wall-clock
// figures are printed alongside.
import {
  quantize4bit,
  dequantize4bit,
  quantizeInt8Rowwise,
  dequantizeInt8Rowwise,
} from '../dist/index.js';

const ROWS = 4096;
const COLS = 4096;
const N = ROWS * COLS;
const REPS = Number(process.env.BENCH_REPS ?? 5);

function gaussian(n, seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best CPU and wall time over REPS runs of fn (after one warm-up). */
function time(fn) {
  fn();
  let bestCpu = Infinity;
  let bestWall = Infinity;
  for (let r = 0; r < REPS; r++) {
    const c = cpuMs();
    const w = performance.now();
    fn();
    bestWall = Math.min(bestWall, performance.now() - w);
    bestCpu = Math.min(bestCpu, cpuMs() - c);
  }
  return { cpu: bestCpu, wall: bestWall };
}

function relativeRmse(original, restored) {
  let mean = 0;
  for (let i = 0; i < original.length; i++) mean += original[i];
  mean /= original.length;
  let err = 0;
  let variance = 0;
  for (let i = 0; i < original.length; i++) {
    err += (original[i] - restored[i]) ** 2;
    variance += (original[i] - mean) ** 2;
  }
  return Math.sqrt(err / variance);
}

const mps = (ms) => (N / ms / 1e3).toFixed(0);
const weights = gaussian(N, 12345);
const out = new Float32Array(N);
const rowOut = new Float32Array(64 * COLS);
console.log(`${ROWS} x ${COLS} = ${N} params, single thread, best of ${REPS}, M params/s (CPU time | wall)`);
console.log('format          quantize        dequantize      rows 64/call    rel.RMSE  bits/param');

const cases = [
  ['nf4', { type: 'nf4', blockSize: 64 }],
  ['nf4 + double', { type: 'nf4', blockSize: 64, doubleQuant: true }],
  ['fp4', { type: 'fp4', blockSize: 64 }],
  ['fp4 + double', { type: 'fp4', blockSize: 64, doubleQuant: true }],
];
const results = {};
for (const [label, options] of cases) {
  let state;
  const q = time(() => {
    state = quantize4bit(weights, { ...options, shape: [ROWS, COLS] });
  });
  const d = time(() => dequantize4bit(state, { out }));
  const rows = time(() => {
    for (let r = 0; r < ROWS; r += 64) dequantize4bit(state, { rows: [r, r + 64], out: rowOut });
  });
  dequantize4bit(state, { out });
  const stateBits = state.nested
    ? state.nested.codes.length * 8 + state.nested.absmax.length * 32
    : state.absmax.length * 32;
  const bits = (state.packed.length * 8 + stateBits) / N;
  results[label] = { q, d };
  console.log(
    `${label.padEnd(16)}${`${mps(q.cpu)} | ${mps(q.wall)}`.padEnd(16)}${`${mps(d.cpu)} | ${mps(d.wall)}`.padEnd(16)}` +
      `${`${mps(rows.cpu)} | ${mps(rows.wall)}`.padEnd(16)}${relativeRmse(weights, out).toFixed(5).padEnd(10)}${bits.toFixed(4)}`,
  );
}
{
  let state;
  const q = time(() => {
    state = quantizeInt8Rowwise(weights, [ROWS, COLS]);
  });
  const d = time(() => dequantizeInt8Rowwise(state, { out }));
  const rows = time(() => {
    for (let r = 0; r < ROWS; r += 64) dequantizeInt8Rowwise(state, { rows: [r, r + 64], out: rowOut });
  });
  dequantizeInt8Rowwise(state, { out });
  const bits = (state.weight.length * 8 + state.scb.length * 32) / N;
  console.log(
    `${'int8 row-wise'.padEnd(16)}${`${mps(q.cpu)} | ${mps(q.wall)}`.padEnd(16)}${`${mps(d.cpu)} | ${mps(d.wall)}`.padEnd(16)}` +
      `${`${mps(rows.cpu)} | ${mps(rows.wall)}`.padEnd(16)}${relativeRmse(weights, out).toFixed(5).padEnd(10)}${bits.toFixed(4)}`,
  );
}
// A plain float32 copy measures what the machine gives right now, so the ratios
// above stay comparable between runs on a busy or a quiet machine.
const copy = time(() => out.set(weights));
console.log(`reference: Float32Array copy ${mps(copy.cpu)} | ${mps(copy.wall)} M floats/s`);
const nf4 = results['nf4'];
console.log(
  `goal: quantize >= 100 M/s: ${nf4.q.cpu <= N / 100e3 ? 'met' : 'NOT met'} (nf4 ${mps(nf4.q.cpu)}), ` +
    `dequantize >= 400 M/s: ${nf4.d.cpu <= N / 400e3 ? 'met' : 'NOT met'} (nf4 ${mps(nf4.d.cpu)})`,
);
