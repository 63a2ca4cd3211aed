// Benchmark: prune a ~330 MB random Llama-shaped model (F32, 16 layers, hidden
// 512, vocab 32000) and report throughput and peak memory. The prune runs in a
// child process so its peak RSS (getrusage maxRSS) is not polluted by building
// the model; a baseline child that only imports the package gives the floor.
// Run: npm run bench -w @layerprune/surgery   (after nx build)
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { writeSafetensors } from '@layerprune/tensor-io';

const L = 16, H = 512, I = 1408, V = 32000;
const root = await mkdtemp(join(tmpdir(), 'layerprune-bench-'));
const model = join(root, 'model');
const entry = new URL('../dist/index.js', import.meta.url).href;

try {
  // One buffer per shape: the values do not matter, only the bytes moved.
  const buffers = new Map();
  const t = (name, shape) => {
    const key = shape.join('x');
    if (!buffers.has(key)) buffers.set(key, Float32Array.from({ length: shape[0] * (shape[1] ?? 1) }, (_, i) => Math.sin(i)));
    return { name, dtype: 'F32', shape, read: () => buffers.get(key) };
  };
  const tensors = [t('model.embed_tokens.weight', [V, H])];
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(t(`${p}input_layernorm.weight`, [H]));
    for (const q of ['q', 'k', 'v', 'o']) tensors.push(t(`${p}self_attn.${q}_proj.weight`, [H, H]));
    tensors.push(t(`${p}post_attention_layernorm.weight`, [H]));
    tensors.push(t(`${p}mlp.gate_proj.weight`, [I, H]), t(`${p}mlp.up_proj.weight`, [I, H]), t(`${p}mlp.down_proj.weight`, [H, I]));
  }
  tensors.push(t('model.norm.weight', [H]), t('lm_head.weight', [V, H]));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(model);
  const written = await writeSafetensors(join(model, 'model.safetensors'), tensors);
  await writeFile(join(model, 'config.json'), JSON.stringify({
    model_type: 'llama', hidden_size: H, intermediate_size: I, num_hidden_layers: L, num_attention_heads: 8,
    num_key_value_heads: 8, rms_norm_eps: 1e-5, vocab_size: V, max_position_embeddings: 2048, tie_word_embeddings: false,
  }));
  const largest = V * H * 4;

  const child = (code) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  const baseline = child(`await import(${JSON.stringify(entry)}); console.log(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024 }));`);
  const run = child(`
    const { pruneModel } = await import(${JSON.stringify(entry)});
    const t0 = performance.now();
    const r = await pruneModel({ model: ${JSON.stringify(model)}, out: ${JSON.stringify(join(root, 'out'))}, spec: { kind: 'drop-block', start: 8, end: 12 } });
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, bytes: r.tensorBytes.after, maxRss: process.resourceUsage().maxRSS * 1024 }));`);
  const mb = (b) => (b / 1e6).toFixed(1);
  console.log(`model: ${mb(written.bytes)} MB F32, ${L} layers, largest tensor ${mb(largest)} MB; drop [8, 12)`);
  console.log(`prune (hash source + write ${mb(run.bytes)} MB): ${(run.ms / 1000).toFixed(2)} s, ${mb((written.bytes + run.bytes) / (run.ms / 1000))} MB/s read+written`);
  console.log(`peak RSS: ${mb(run.maxRss)} MB (import-only baseline ${mb(baseline.maxRss)} MB)`);
  console.log(`peak above baseline / largest tensor: ${((run.maxRss - baseline.maxRss) / largest).toFixed(2)}; / model size: ${((run.maxRss - baseline.maxRss) / written.bytes).toFixed(2)}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
