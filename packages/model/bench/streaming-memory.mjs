// Peak memory of a streaming forward pass over a random ~1.1B-parameter Llama
// (TinyLlama shape: 22 layers, hidden 2048, intermediate 5632, 32 heads / 4 kv heads,
// vocab 32000) on the wasm backend. Its float32 weights (4.4 GB) exceed the 4 GiB wasm
// heap; the synthetic provider regenerates each block into reused buffers (what a 4-bit
// provider does when it dequantizes), so the figures show what the engine itself needs.
import * as tf from '@tensorflow/tfjs';
import { createModelFromProvider, residentWeightBytes, resolveArchitecture, selectBackend } from '../dist/index.js';
import { forwardFlops, syntheticConfig, syntheticProvider } from './synthetic-provider.mjs';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
await selectBackend('wasm', (line) => console.log(line));
const config = syntheticConfig({
  hiddenSize: 2048,
  intermediateSize: 5632,
  numHiddenLayers: Number(process.env.BENCH_LAYERS ?? 22),
  numAttentionHeads: 32,
  numKeyValueHeads: 4,
  vocabSize: 32000,
});
const params = residentWeightBytes(resolveArchitecture(config, {}, 'synthetic')) / 4 + config.vocabSize * config.hiddenSize;
const batch = Number(process.env.BENCH_BATCH ?? 1);
const length = Number(process.env.BENCH_LENGTH ?? 128);
const heapBytes = () => tf.backend().wasm.HEAPU8.length;
const rssBefore = process.memoryUsage().rss;

const model = await createModelFromProvider(syntheticProvider(config), { backend: 'wasm', mode: 'auto', log: () => {} });
console.log(`model: ${(params / 1e9).toFixed(2)}B parameters, ${(4 * params / GiB).toFixed(2)} GiB float32; mode chosen by 'auto': ${model.mode}`);
const tokens = Array.from({ length: batch }, (_, b) => Array.from({ length }, (_, t) => (b * 7919 + t * 104729) % config.vocabSize));
const start = performance.now();
const cpuStart = process.cpuUsage();
const out = await model.forward(tokens, { logits: 'last', hidden: 'last' });
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
model.dispose();
const finite = out.logits.every(Number.isFinite);
const peakRss = process.resourceUsage().maxRSS * 1024;
const flops = forwardFlops(config, batch, length, batch);
console.log(`streaming forward, batch ${batch} x ${length}: ${seconds.toFixed(1)} s wall (${cpuSeconds.toFixed(1)} CPU s), ${(flops / seconds / 1e9).toFixed(1)} GFLOP/s wall, ${(flops / cpuSeconds / 1e9).toFixed(1)} GFLOP/CPU-s (synthetic weights regenerated per block included); logits finite: ${finite}`);
console.log(`peak process RSS: ${(peakRss / MiB).toFixed(0)} MiB (before loading: ${(rssBefore / MiB).toFixed(0)} MiB)`);
console.log(`wasm heap size: ${(heapBytes() / MiB).toFixed(0)} MiB of 4096 MiB (one block of float32 weights: ${((4 * params - 8 * config.vocabSize * config.hiddenSize) / config.numHiddenLayers / MiB).toFixed(0)} MiB)`);
