// Forward-pass speed of the ONNX engine against the tfjs engine (wasm, the
// fastest tfjs backend that installs here) in ONE process run, on the issue's
// random 16-layer model (hidden 768, 12 heads / 4 kv heads, intermediate 2048,
// vocab 32000), batch 4 x 128, all-position logits + hidden states x(0..16).
// ONNX at 1 and 2 intra-op threads; tfjs-wasm is single-threaded under Node.
// Prints tokens/s, the ratio to tfjs, and the largest logit difference between
// the engines. Usage: node bench/forward.mjs [--json]   (BENCH_REPEATS=3)
import { createModelFromProvider, tfjsEngineFactory } from '@layerprune/model';
import { onnxEngineFactory } from '../dist/index.js';
import { syntheticConfig, syntheticProvider } from '../../model/bench/synthetic-provider.mjs';

const json = process.argv.includes('--json');
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const config = syntheticConfig({ hiddenSize: 768, intermediateSize: 2048, numHiddenLayers: 16, numAttentionHeads: 12, numKeyValueHeads: 4, vocabSize: 32000 });
const batch = 4;
const length = 128;
const tokens = Array.from({ length: batch }, (_, s) => Array.from({ length }, (_, t) => (s * 7919 + t * 104729) % config.vocabSize));
const log = json ? () => {} : (line) => console.log(line);

async function measure(label, engine, threads) {
  const model = await createModelFromProvider(syntheticProvider(config, { keepAll: true }), { engine, mode: 'resident', log: () => {} });
  const run = () => model.forward(tokens, { logits: 'all', hidden: 'all' });
  const first = performance.now();
  const result = await run(); // warm-up: weights read, graphs compiled, packing
  const coldSeconds = (performance.now() - first) / 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await run();
  const seconds = (performance.now() - t0) / 1000 / repeats;
  const cpu = process.cpuUsage(cpu0);
  model.dispose();
  const row = { label, threads, seconds, tokensPerSecond: (batch * length) / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 / repeats, coldSeconds };
  log(`${label.padEnd(6)} ${String(threads).padStart(2)} thread(s)  ${seconds.toFixed(3)} s/pass  ${row.tokensPerSecond.toFixed(0).padStart(5)} tokens/s  (first pass ${coldSeconds.toFixed(2)} s, CPU ${row.cpuSeconds.toFixed(2)} s/pass)`);
  return { row, logits: result.logits };
}

log(`model: 16 layers, hidden 768, 12/4 heads, intermediate 2048, vocab 32000; batch ${batch} x ${length}; all-position logits + hidden states; ${repeats} timed passes each`);
const tfjs = await measure('tfjs', tfjsEngineFactory('wasm'), 1);
const rows = [tfjs.row];
let maxDiff = 0;
for (const threads of [1, 2]) {
  const onnx = await measure('onnx', onnxEngineFactory({ threads }), threads);
  rows.push(onnx.row);
  for (let i = 0; i < onnx.logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnx.logits[i] - tfjs.logits[i]));
}
const ratios = rows.slice(1).map((r) => ({ threads: r.threads, speedupOverTfjs: tfjs.row.seconds / r.seconds }));
for (const r of ratios) log(`onnx ${r.threads} thread(s) / tfjs-wasm: ${r.speedupOverTfjs.toFixed(2)}x`);
log(`max |logit(onnx) - logit(tfjs)|: ${maxDiff.toExponential(2)}`);
if (json) console.log(JSON.stringify({ config: { batch, length, layers: 16, hidden: 768 }, rows, ratios, maxLogitDiff: maxDiff }, null, 2));
