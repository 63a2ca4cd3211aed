// Peak memory of a streaming ONNX forward pass over a model larger than the
// memory it is given: a random Llama-3.2-3B-shaped checkpoint (3.2B parameters,
// bf16 on disk, ~12 GiB as float32) is written to a temp dir, then measured in
// CHILD processes (so each peak RSS is that run's alone, read from
// `/usr/bin/time -v` and from the child's own process.resourceUsage()):
//   explicit  mode 'streaming', weightCache 'none' (what analyze needs)
//   planner   mode 'auto', weightCache unset, LAYERPRUNE_MEMORY_BYTES=6GiB: the
//             planner must pick streaming without a cache by itself
//   refused   LAYERPRUNE_MEMORY_BYTES=4GiB: below the lean estimate, refused before any read
//   cli       (--cli only) `layerprune analyze --engine onnx --mode streaming` on the
//             bundled data, with stories260K's tokenizer copied in (analyze only needs
//             token ids < vocab_size) and the 6GiB budget (analyze has no weight-cache
//             option: where caching fits, as on a 22 GiB machine, it caches every block)
// Peak RSS is reached at load: the embedding's bf16 bytes and its float32 copy coexist
// while it is decoded; the last pass shows the steady state, one block at a time.
// Token ids are generated directly (the model has no tokenizer). Each forward is
// what analyze asks for: the last position's hidden states, no logits.
// Usage: node bench/streaming-memory.mjs [--json] [--cli]
//   BENCH_BATCH=2 BENCH_LENGTH=128 BENCH_PASSES=2 BENCH_LAYERS=28 (fewer layers: a quick check)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const here = dirname(fileURLToPath(import.meta.url));
const gib = (bytes) => `${(bytes / GiB).toFixed(2)} GiB`;
const mib = (bytes) => `${(bytes / MiB).toFixed(0)} MiB`;

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await parent();

// ---------------------------------------------------------------- child: one measured run
async function child({ dir, mode, weightCache, batch, length, passes }) {
  const { loadModel } = await import('@layerprune/model');
  const { onnxEngineFactory } = await import('../dist/index.js');
  // Sampled every 20 ms (maxRSS is exact, samples miss what synchronous decodes hide):
  // the largest ArrayBuffer total (weights live there), and RSS / ArrayBuffers during the
  // LAST pass: the steady state, once the load-time peak has been collected.
  const peak = { arrayBuffers: 0, passRss: 0, passArrayBuffers: 0 };
  let lastPass = false;
  const sample = () => {
    const m = process.memoryUsage();
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    if (!lastPass) return;
    peak.passRss = Math.max(peak.passRss, m.rss);
    peak.passArrayBuffers = Math.max(peak.passArrayBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 20);
  const logs = [];
  const t0 = performance.now();
  let model;
  try {
    model = await loadModel(dir, { engine: onnxEngineFactory(), mode, ...(weightCache ? { weightCache } : {}), log: (l) => logs.push(l) });
  } catch (error) {
    clearInterval(timer);
    console.log(JSON.stringify({ error: { code: error.code, message: error.message }, logs, maxRss: process.resourceUsage().maxRSS * 1024 }));
    return;
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  sample();
  const afterLoad = { rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 };
  const V = model.config.vocabSize;
  const tokens = Array.from({ length: batch }, (_, b) => Array.from({ length }, (_, t) => (b * 7919 + t * 104729 + 1) % V));
  const passSeconds = [];
  let finite = true;
  for (let p = 0; p < passes; p++) {
    lastPass = p === passes - 1;
    const start = performance.now();
    const out = await model.forward(tokens, { hidden: 'last', logits: 'none' });
    passSeconds.push((performance.now() - start) / 1000);
    finite &&= out.hidden.every((h) => h.every(Number.isFinite));
    sample();
  }
  const chosen = model.mode;
  model.dispose();
  clearInterval(timer);
  console.log(JSON.stringify({ mode: chosen, logs, loadSeconds, passSeconds, finite, afterLoad, peak, maxRss: process.resourceUsage().maxRSS * 1024 }));
}

// ---------------------------------------------------------------- parent: write, run, report
function llama32_3b(layers) {
  // Llama-3.2-3B's config.json, layer count aside.
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', transformers_version: '4.45.0',
    hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: layers, num_attention_heads: 24, num_key_value_heads: 8, head_dim: 128,
    hidden_act: 'silu', max_position_embeddings: 131072, rms_norm_eps: 1e-5, rope_theta: 500000,
    rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    attention_bias: false, attention_dropout: 0, mlp_bias: false, initializer_range: 0.02, pretraining_tp: 1,
    vocab_size: 128256, tie_word_embeddings: true, bos_token_id: 128000, eos_token_id: 128001, use_cache: true,
  };
}

/** bf16 bits of uniform(-scale, scale) values from a seeded xorshift32: deterministic. */
function randomBf16(count, seed, scale) {
  const out = new Uint16Array(count);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  let s = seed | 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    f[0] = ((s >>> 8) / 8388608 - 1) * scale;
    out[i] = bits[0] >>> 16; // truncation to bf16: fine for random weights
  }
  return new Uint8Array(out.buffer);
}

async function writeModel(dir, config) {
  const { writeShardedSafetensors } = await import('@layerprune/tensor-io');
  const { expectedModelTensors, parseArchitectureConfig } = await import('@layerprune/architectures');
  const tensors = expectedModelTensors(parseArchitectureConfig(config, 'config.json')).filter((t) => t.required);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  // writeSharded calls read() when a tensor is due, so the writer holds one tensor (the
  // 0.79 GB bf16 embedding at most), never the model. Norm weights are ones, as initialised.
  const sources = tensors.map((t, i) => ({
    name: t.name, dtype: 'BF16', shape: t.shape,
    read: () => (t.shape.length === 1 ? new Uint8Array(new Uint16Array(t.shape[0]).fill(0x3f80).buffer) : randomBf16(t.shape[0] * t.shape[1], 0x9e3779b9 ^ (i * 2654435761), 0.02 * Math.sqrt(3))),
  }));
  await writeShardedSafetensors(dir, sources, { maxShardBytes: 2 * 1000 ** 3 });
  const count = (filter) => tensors.filter(filter).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  return { params: count(() => true), blockParams: count((t) => t.layer === 0), embeddingParams: count((t) => t.name === 'model.embed_tokens.weight') };
}

/** Runs argv under /usr/bin/time -v when present; returns stdout, stderr and time's peak RSS. */
function run(argv, env) {
  const timed = existsSync('/usr/bin/time');
  const [cmd, ...args] = timed ? ['/usr/bin/time', '-v', ...argv] : argv;
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, timeMaxRss: kb ? Number(kb[1]) * 1024 : null, seconds: Number(/Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr)?.slice(1).reduce((s, v) => s * 60 + Number(v ?? 0), 0)) });
    });
  });
}

async function measure(label, dir, env, options) {
  const argv = [process.execPath, fileURLToPath(import.meta.url), '--child', JSON.stringify({ dir, ...options })];
  // The budget variable is set only where the run means it: an inherited one would change the plan.
  const r = await run(argv, { LAYERPRUNE_MEMORY_BYTES: '', ...env });
  const line = r.stdout.trim().split('\n').pop();
  if (r.code !== 0 || !line) throw new Error(`${label}: child exited ${r.code}\n${r.stderr}`);
  return { label, env, requested: options, timeMaxRss: r.timeMaxRss, ...JSON.parse(line) };
}

/** `layerprune analyze` itself. Its tokenizer is stories260K's: analyze only needs ids < vocab_size, and 512 < 128256. */
async function measureCli(dir, out, { batch, length }) {
  const assets = join(here, '../../assets/models/stories260K');
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) await copyFile(join(assets, f), join(dir, f));
  const cli = join(here, '../../cli/bin/layerprune.js');
  const argv = [process.execPath, cli, 'analyze', '--model', dir, '--engine', 'onnx', '--mode', 'streaming', '--samples', String(batch), '--seq-len', String(length), '--batch-size', String(batch), '--out', out, '--json', '--quiet'];
  // analyze has no --weight-cache flag: on a machine where caching fits, only the budget variable stops it.
  const r = await run(argv, { LAYERPRUNE_MEMORY_BYTES: '6GiB' });
  if (r.code !== 0) throw new Error(`cli: exited ${r.code}\n${r.stderr}`);
  return { label: 'cli', command: `LAYERPRUNE_MEMORY_BYTES=6GiB ${argv.slice(1).join(' ')}`, timeMaxRss: r.timeMaxRss, seconds: r.seconds, result: JSON.parse(r.stdout) };
}

async function parent() {
  const json = process.argv.includes('--json');
  const withCli = process.argv.includes('--cli');
  const log = json ? () => {} : (line) => console.log(line);
  const batch = Number(process.env.BENCH_BATCH ?? 2);
  const length = Number(process.env.BENCH_LENGTH ?? 128);
  const passes = Number(process.env.BENCH_PASSES ?? 2);
  const config = llama32_3b(Number(process.env.BENCH_LAYERS ?? 28));
  const memAvailable = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) * 1024;

  // Refuse early rather than fill the disk: bf16 size plus 1 GiB of slack.
  const { hidden_size: H, intermediate_size: I, vocab_size: V, num_hidden_layers: L } = config;
  const approxBytes = 2 * (V * H + L * (2 * H * H + 2 * H * 1024 + 3 * H * I));
  const fs = await statfs(tmpdir());
  if (fs.bavail * fs.bsize < approxBytes + GiB) throw new Error(`${tmpdir()} has ${gib(fs.bavail * fs.bsize)} free; the model needs ${gib(approxBytes + GiB)}`);

  // The model and analyze's --out side by side: an output inside the input is refused.
  const root = await mkdtemp(join(tmpdir(), 'layerprune-stream-'));
  const dir = join(root, 'model');
  await mkdir(dir);
  const cleanup = () => rm(root, { recursive: true, force: true });
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    log(`MemAvailable ${gib(memAvailable)}; writing a random ${L}-layer Llama-3.2-3B-shaped bf16 model to ${dir} ...`);
    const w0 = performance.now();
    const sizes = await writeModel(dir, config);
    const writeSeconds = (performance.now() - w0) / 1000;
    const model = { ...sizes, bf16Bytes: 2 * sizes.params, float32Bytes: 4 * sizes.params, blockFloat32Bytes: 4 * sizes.blockParams, embeddingFloat32Bytes: 4 * sizes.embeddingParams };
    log(`model: ${(model.params / 1e9).toFixed(2)}B parameters, ${gib(model.bf16Bytes)} bf16 on disk (written in ${writeSeconds.toFixed(0)} s), ${gib(model.float32Bytes)} as float32`);
    log(`one block: ${mib(model.blockFloat32Bytes)} float32; embedding (= lm_head, tied): ${mib(model.embeddingFloat32Bytes)} float32`);
    const shape = { batch, length, passes };
    const runs = [];
    for (const [label, env, options] of [
      ['explicit', {}, { mode: 'streaming', weightCache: 'none' }],
      ['planner', { LAYERPRUNE_MEMORY_BYTES: '6GiB' }, { mode: 'auto' }],
      ['refused', { LAYERPRUNE_MEMORY_BYTES: '4GiB' }, { mode: 'auto' }],
    ]) {
      log(`running ${label} ...`);
      runs.push(await measure(label, dir, env, { ...options, ...shape }));
    }
    if (withCli) runs.push(await measureCli(dir, join(root, 'analysis'), shape));
    const base = model.embeddingFloat32Bytes + model.blockFloat32Bytes;
    for (const r of runs) r.ratio = (r.timeMaxRss ?? r.maxRss ?? 0) / base || null;
    if (json) {
      console.log(JSON.stringify({ memAvailable, config, batch, length, model, writeSeconds, runs }, null, 2));
      return;
    }
    log(`\nforward ${batch} x ${length} tokens, hidden 'last', logits 'none'; ratio = peak RSS / (embedding + one block = ${mib(base)})`);
    log(['run', 'budget', 'mode/cache', 'peak RSS', 'ratio', 'peak ArrayBuffers', 'last pass: RSS / ArrayBuffers', 'load s', 'pass s'].join(' | '));
    for (const r of runs) {
      if (r.label === 'cli') {
        log(`cli | 6GiB | streaming | ${mib(r.timeMaxRss)} | ${r.ratio.toFixed(2)} | - | - | - | ${r.seconds.toFixed(1)} total: ${r.command}`);
      } else if (r.error) {
        log(`${r.label} | ${r.env.LAYERPRUNE_MEMORY_BYTES} | ${r.error.code} | ${mib(r.timeMaxRss)} | - | - | - | - | ${r.error.message}`);
      } else {
        const cache = r.logs.some((l) => l.includes('re-reading each block')) || r.requested.weightCache === 'none' ? 'none' : 'memory';
        const p = r.peak;
        log(`${r.label} | ${r.env.LAYERPRUNE_MEMORY_BYTES ?? 'machine'} | ${r.mode}/${cache} | ${mib(r.timeMaxRss ?? r.maxRss)} | ${r.ratio.toFixed(2)} | ${mib(p.arrayBuffers)} | ${mib(p.passRss)} / ${mib(p.passArrayBuffers)} | ${r.loadSeconds.toFixed(1)} | ${r.passSeconds.map((s) => s.toFixed(1)).join(', ')}${r.finite ? '' : ' NON-FINITE'}`);
      }
    }
  } finally {
    await cleanup();
  }
}
