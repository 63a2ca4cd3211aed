// Forward-pass speed on the wasm backend for the random 16-layer model
// (hidden 768, 12 heads / 4 kv heads, intermediate 2048, vocab 32000), batch 4 x 128.
// Prints tokens/s, achieved GFLOP/s, and the plain 2-D matMul speed measured in the same run.
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

function matmulGflops() {
  const a = tf.randomNormal([batch * length, 768]);
  const b = tf.randomNormal([768, 2048]);
  tf.matMul(a, b).dispose();
  const start = performance.now();
  for (let i = 0; i < 5; i++) tf.matMul(a, b).dataSync();
  const ms = (performance.now() - start) / 5;
  a.dispose();
  b.dispose();
  return (2 * batch * length * 768 * 2048) / ms / 1e6;
}

const tokens = Array.from({ length: batch }, (_, b) => Array.from({ length }, (_, t) => (b * 7919 + t * 104729) % config.vocabSize));

async function time(label, mode, run, flops) {
  const provider = syntheticProvider(config, { keepAll: mode === 'streaming' });
  const model = await createModelFromProvider(provider, { backend, mode, log: () => {} });
  await run(model); // warm-up: XNNPACK packs weights on first use
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await run(model);
  const seconds = (performance.now() - start) / 1000 / repeats;
  model.dispose();
  const tokensPerSecond = (batch * length) / seconds;
  console.log(`${label.padEnd(44)} ${mode.padEnd(9)} ${seconds.toFixed(2)} s/pass  ${tokensPerSecond.toFixed(0).padStart(5)} tokens/s  ${(flops / seconds / 1e9).toFixed(1)} GFLOP/s`);
  return flops / seconds / 1e9;
}

const mm = matmulGflops();
console.log(`plain 2-D matMul [512x768]x[768x2048] on ${backend}: ${mm.toFixed(1)} GFLOP/s`);
const lastFlops = forwardFlops(config, batch, length, batch);
const allFlops = forwardFlops(config, batch, length, batch * (length - 1));
const g1 = await time('forward (hidden last, logits last)', 'resident', (m) => m.forward(tokens, { hidden: 'last', logits: 'last' }), lastFlops);
const g2 = await time('tokenLogProbs (lm_head on every position)', 'resident', (m) => m.tokenLogProbs(tokens), allFlops);
const g3 = await time('forward (hidden last, logits last)', 'streaming', (m) => m.forward(tokens, { hidden: 'last', logits: 'last' }), lastFlops);
console.log(`effective / plain matMul: ${(g1 / mm).toFixed(2)} (forward), ${(g2 / mm).toFixed(2)} (tokenLogProbs), ${(g3 / mm).toFixed(2)} (streaming)`);
