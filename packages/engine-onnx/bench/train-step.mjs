// LoRA training-step benchmark, every engine in ONE process on the same base,
// adapters and batches (ratios within one run; absolute times vary with the
// machine): random Llama (16 layers, hidden 768, 12 heads / 4 kv, intermediate
// 2048, vocab 32000; ~150M parameters), LoRA r=8 alpha 8 on all 7 projections,
// batch 4 x 128 tokens, next-token loss + backward + global-norm clip + AdamW.
// Engines: tfjs-wasm (LoraRunner, one thread: tfjs-wasm has no threads under
// Node) and onnx at 1 and 2 threads, with recomputed (default) or kept
// activations. PyTorch figures to compare with: bench/pytorch/README.md.
// Usage: npm run bench:train -- [--steps 3] [--bits 32,4] [--dropout 0.05] [--skip-tfjs]
import { performance } from 'node:perf_hooks';
import { selectBackend } from '@layerprune/model';
import { AdamW, clipGradNorm, FrozenBase, LoraAdapters, LoraRunner, SeededRng, llamaLinearShapes, resolveLoraConfig } from '@layerprune/lora';
import { OnnxLoraTrainer } from '../dist/index.js';
// The same random model as @layerprune/lora's train-step bench (the sibling package in this repository).
import { BENCH_CONFIG, randomReader } from '../../lora/bench/bench-model.mjs';
import { loadRuntime } from '../dist/runtime/load-runtime.js';
import { resolveOnnxOptions } from '../dist/options.js';

const CONFIG = BENCH_CONFIG;
const BATCH = 4;
const SEQ = 128;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const steps = Number(arg('steps', '3'));
const dropout = Number(arg('dropout', '0.05'));
const bitsList = arg('bits', '32,4').split(',').map(Number);
const skipTfjs = process.argv.includes('--skip-tfjs');
const batches = Array.from({ length: steps + 1 }, (_, i) => {
  const data = new SeededRng(100 + i);
  return Array.from({ length: BATCH }, () => Array.from({ length: SEQ }, () => data.nextInt(CONFIG.vocabSize)));
});

/** Warm-up step (graphs built, buffers allocated), then `steps` timed steps. */
async function measure(makeTrainer, base) {
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 8, alpha: 8, dropout, targetModules: 'all-linear' }), llamaLinearShapes(CONFIG), new SeededRng(1));
  const trainer = await makeTrainer(base, adapters);
  const params = adapters.parameters();
  const grads = params.map((p) => new Float32Array(p.length));
  const optimizer = new AdamW(params);
  const rng = new SeededRng(2);
  const losses = [];
  const step = async (batch) => {
    grads.forEach((g) => g.fill(0));
    const { loss } = await trainer.lossAndGradients(batch, grads, 1, dropout > 0 ? rng : null);
    clipGradNorm(grads, 1);
    optimizer.step(params, grads, 1e-4);
    losses.push(loss);
  };
  await step(batches[0]);
  const times = [];
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    await step(batches[i]);
    times.push((performance.now() - t0) / 1000);
  }
  await trainer.dispose();
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], times, losses };
}

console.log(`LoRA train step: random Llama L=16 H=768 heads 12/4 I=2048 V=32000, r=8 all 7 projections, dropout ${dropout}, batch ${BATCH} x ${SEQ}; median of ${steps} steps after 1 warm-up`);
await selectBackend('wasm', () => {});
const runtimes = { 1: await loadRuntime(resolveOnnxOptions({ threads: 1 })), 2: await loadRuntime(resolveOnnxOptions({ threads: 2 })) };
for (const bits of bitsList) {
  const base = await FrozenBase.load(CONFIG, randomReader(CONFIG), bits);
  const variants = [
    ...(skipTfjs ? [] : [{ name: 'tfjs-wasm (1 thread)', make: async (b, a) => new LoraRunner(b, a) }]),
    ...[1, 2].flatMap((threads) =>
      [false, true].map((keep) => ({ name: `onnx ${threads} thread${threads > 1 ? 's' : ''}, ${keep ? 'kept' : 'recomputed'} activations`, make: async (b, a) => new OnnxLoraTrainer(b, a, runtimes[threads], { keepActivations: keep }) })),
    ),
  ];
  const results = [];
  for (const v of variants) {
    const r = await measure(v.make, base);
    results.push({ ...v, ...r });
    const reference = results[0];
    const ratio = reference === results.at(-1) ? '' : `  ${(reference.median / r.median).toFixed(2)}x ${reference.name.split(' ')[0]}`;
    const lossDiff = Math.max(...r.losses.map((l, i) => Math.abs(l - reference.losses[i])));
    console.log(`${String(bits).padStart(2)}-bit base  ${v.name.padEnd(40)} ${(r.median * 1000).toFixed(0).padStart(6)} ms/step  ${((BATCH * SEQ) / r.median).toFixed(0).padStart(5)} tokens/s${ratio}  (steps ${r.times.map((t) => (t * 1000).toFixed(0)).join(', ')} ms; max |loss - first row's| ${lossDiff.toExponential(1)})`);
  }
}
