// Training-step benchmark: a random Llama (16 layers, hidden 768, 12 heads / 4 kv,
// intermediate 2048, vocab 32000; ~150M parameters), LoRA rank 8 on all linear
// layers, batch 4 x 128 tokens, checkpointed backward. Each base precision runs in
// its own child process so its peak RSS is its own.
// Usage: npm run bench   (or: node bench/train-step.mjs [--steps 3] [--backend wasm])
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@layerprune/model';
import { FrozenBase, LoraAdapters, LoraRunner, SeededRng, llamaLinearShapes, resolveLoraConfig, peakRssBytes, AdamW, clipGradNorm } from '../dist/index.js';
import { BENCH_CONFIG, randomReader } from './bench-model.mjs';

const CONFIG = BENCH_CONFIG;
const BATCH = 4;
const SEQ = 128;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function child(bits, steps, backendName) {
  const backend = await selectBackend(backendName, () => {});
  let t0 = performance.now();
  const base = await FrozenBase.load(CONFIG, randomReader(CONFIG), bits);
  const loadSeconds = (performance.now() - t0) / 1000;
  const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 8, alpha: 8, dropout: 0.05, targetModules: 'all-linear' }), llamaLinearShapes(CONFIG), new SeededRng(1));
  const runner = new LoraRunner(base, adapters);
  const params = adapters.parameters();
  const grads = params.map((p) => new Float32Array(p.length));
  const optimizer = new AdamW(params);
  const rng = new SeededRng(2);
  const data = new SeededRng(3);
  const step = () => {
    grads.forEach((g) => g.fill(0));
    const batch = Array.from({ length: BATCH }, () => Array.from({ length: SEQ }, () => data.nextInt(CONFIG.vocabSize)));
    const { loss } = runner.lossAndGradients(batch, grads, 1, rng);
    clipGradNorm(grads, 1);
    optimizer.step(params, grads, 1e-4);
    return loss;
  };
  step(); // warm-up: kernels compiled, buffers allocated
  const times = [];
  const cpu = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage();
    step();
    const c = process.cpuUsage(c0);
    times.push((performance.now() - t0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  // The machine is shared: CPU seconds of this (single-threaded wasm) process are
  // what the step costs on an idle core; wall time includes waiting for the CPU.
  const meanCpu = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  process.stdout.write(`${JSON.stringify({ bits, backend, loadSeconds, stepSeconds: times, meanStepSeconds: mean, stepCpuSeconds: cpu, meanStepCpuSeconds: meanCpu, tokensPerSecond: (BATCH * SEQ) / mean, peakRssBytes: peakRssBytes(), baseLinearBytes: base.linearBytes(), trainable: adapters.parameterCount() })}\n`);
}

if (process.argv.includes('--child')) {
  await child(Number(arg('bits', '4')), Number(arg('steps', '3')), arg('backend', 'auto'));
} else {
  const steps = arg('steps', '3');
  const backend = arg('backend', 'auto');
  console.log(`train step: random Llama L=16 H=768 heads 12/4 I=2048 V=32000, LoRA r=8 all-linear, batch ${BATCH} x ${SEQ} tokens, ${steps} timed steps after 1 warm-up`);
  const results = [];
  for (const bits of [4, 32]) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--bits', String(bits), '--steps', steps, '--backend', backend], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) {
      console.error(run.stderr);
      process.exit(1);
    }
    const r = JSON.parse(run.stdout.trim().split('\n').pop());
    results.push(r);
    console.log(
      `${String(bits).padStart(2)}-bit base (${r.backend}): ${r.meanStepCpuSeconds.toFixed(2)} CPU s/step [${r.stepCpuSeconds.map((s) => s.toFixed(2)).join(', ')}], wall ${r.meanStepSeconds.toFixed(2)} s/step, ` +
        `${((BATCH * SEQ) / r.meanStepCpuSeconds).toFixed(0)} tokens per CPU-second, peak RSS ${(r.peakRssBytes / 2 ** 30).toFixed(2)} GiB, block linears ${(r.baseLinearBytes / 2 ** 20).toFixed(0)} MiB, load+quantize ${r.loadSeconds.toFixed(1)} s`,
    );
  }
  const [q4, f32] = results;
  console.log(`4-bit / 32-bit step CPU time: ${(q4.meanStepCpuSeconds / f32.meanStepCpuSeconds).toFixed(2)}x. PyTorch on this configuration: ../engine-onnx/bench/pytorch/README.md; the onnx trainer against this one in one run: npm run bench:train in ../engine-onnx`);
}
