// Forward-pass speed on the wasm backend for the random 16-layer model
// (hidden 768, 12 heads / 4 kv heads, intermediate 2048, vocab 32000), batch 4 x 128.
// Prints tokens/s and achieved GFLOP/s per wall-clock second and per CPU second of this
// process (the second is robust to other processes sharing the machine), next to the plain
// 2-D matMul speed measured the same way in the same run.
import * as tf from '@tensorflow/tfjs';
import { createModelFromProvider, selectBackend } from '../dist/index.js';
import { forwardFlops, syntheticConfig, syntheticProvider } from './synthetic-provider.mjs';

const backend = process.argv[2] ?? 'wasm';
await selectBackend(backend, (line) => console.log(line));
const config = syntheticConfig({
  hiddenSize: 768,
  intermediateSize: 2048,
  numHiddenLayers: 16,
  numAttentionHeads: 12,
  numKeyValueHeads: 4,
  vocabSize: 32000,
});
const batch = 4;
const length = 128;
const repeats = Number(process.env.BENCH_REPEATS ?? 2);

/** Runs fn `times` times; returns wall and CPU seconds per run. */
async function measure(fn, times) {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < times; i++) await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - wall0) / 1000 / times, cpu: (cpu.user + cpu.system) / 1e6 / times };
}

const a = tf.randomNormal([batch * length, 768]);
const b = tf.randomNormal([768, 2048]);
const matmulFlops = 2 * batch * length * 768 * 2048;
const matmul = () => tf.matMul(a, b).dataSync();
matmul();

const tokens = Array.from({ length: batch }, (_, s) => Array.from({ length }, (_, t) => (s * 7919 + t * 104729) % config.vocabSize));
const rows = [];

async function bench(label, mode, run, flops) {
  const provider = syntheticProvider(config, { keepAll: mode === 'streaming' });
  const model = await createModelFromProvider(provider, { backend, mode, log: () => {} });
  await run(model); // warm-up: XNNPACK packs resident weights on first use
  const before = await measure(matmul, 20);
  const pass = await measure(() => run(model), repeats);
  const after = await measure(matmul, 20);
  model.dispose();
  const mmWall = matmulFlops / ((before.wall + after.wall) / 2) / 1e9;
  const mmCpu = matmulFlops / ((before.cpu + after.cpu) / 2) / 1e9;
  const row = {
    label,
    mode,
    seconds: pass.wall,
    tokensPerSecond: (batch * length) / pass.wall,
    gflopsWall: flops / pass.wall / 1e9,
    gflopsCpu: flops / pass.cpu / 1e9,
    tokensPerCpuSecond: (batch * length) / pass.cpu,
    mmWall,
    mmCpu,
  };
  rows.push(row);
  console.log(
    `${label.padEnd(42)} ${mode.padEnd(9)} ${row.seconds.toFixed(2)} s/pass ${row.tokensPerSecond.toFixed(0).padStart(5)} tok/s ${row.gflopsWall.toFixed(1).padStart(5)} GFLOP/s wall | ` +
      `${row.tokensPerCpuSecond.toFixed(0).padStart(5)} tok/CPU-s ${row.gflopsCpu.toFixed(1).padStart(5)} GFLOP/CPU-s | plain matMul ${mmWall.toFixed(1)} wall, ${mmCpu.toFixed(1)} CPU; ratio ${(row.gflopsCpu / mmCpu).toFixed(2)}`,
  );
}

const lastFlops = forwardFlops(config, batch, length, batch);
const allFlops = forwardFlops(config, batch, length, batch * (length - 1));
console.log(`model: 16 layers, hidden 768, 12/4 heads, intermediate 2048, vocab 32000; batch ${batch} x ${length}; ${(lastFlops / 1e9).toFixed(1)} GFLOP per forward`);
await bench('forward (hidden last, logits last)', 'resident', (m) => m.forward(tokens, { hidden: 'last', logits: 'last' }), lastFlops);
await bench('tokenLogProbs (lm_head at every position)', 'resident', (m) => m.tokenLogProbs(tokens), allFlops);
await bench('forward (hidden last, logits last)', 'streaming', (m) => m.forward(tokens, { hidden: 'last', logits: 'last' }), lastFlops);
a.dispose();
b.dispose();
