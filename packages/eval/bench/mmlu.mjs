// Throughput of MMLU 5-shot evaluation (items/s) on the default model and on a
// random Llama of realistic width: 16 layers, hidden 768, 12 heads / 4 kv heads,
// intermediate 2048, vocab 32000 (~150M parameters), written to a temp dir.
// Prompts are tokenised with the default model's tokenizer (ids < 512 are valid
// in the bigger vocabulary), cut from the left to the model's max length like the
// harness. Run: npm run bench -w @layerprune/eval (after nx build).
import { mkdtemp, rm, writeFile, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMmluDir, defaultModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer } from '@layerprune/model';
import { writeSafetensors } from '@layerprune/tensor-io';
import { evaluateTasks } from '../dist/index.js';

const ITEMS_SMALL = Number(process.env.BENCH_ITEMS_SMALL ?? 57);
const SUBJECTS_BIG = (process.env.BENCH_SUBJECTS_BIG ?? 'anatomy,astronomy,virology,marketing').split(',');
const MAX_LENGTH_BIG = Number(process.env.BENCH_MAX_LENGTH_BIG ?? 512);

async function writeRandomLlama(dir) {
  const cfg = { L: 16, H: 768, heads: 12, kv: 4, I: 2048, V: 32000 };
  const headDim = cfg.H / cfg.heads;
  let seed = 12345;
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const tensor = (name, shape, scale) => ({
    name,
    dtype: 'F32',
    shape,
    read: () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      if (scale === 'ones') values.fill(1);
      else for (let i = 0; i < n; i += 1) values[i] = (random() * 2 - 1) * scale;
      return values;
    },
  });
  const s = 0.02 * Math.sqrt(3);
  const tensors = [tensor('model.embed_tokens.weight', [cfg.V, cfg.H], s)];
  for (let l = 0; l < cfg.L; l += 1) {
    const p = `model.layers.${l}.`;
    tensors.push(
      tensor(`${p}input_layernorm.weight`, [cfg.H], 'ones'),
      tensor(`${p}self_attn.q_proj.weight`, [cfg.heads * headDim, cfg.H], s),
      tensor(`${p}self_attn.k_proj.weight`, [cfg.kv * headDim, cfg.H], s),
      tensor(`${p}self_attn.v_proj.weight`, [cfg.kv * headDim, cfg.H], s),
      tensor(`${p}self_attn.o_proj.weight`, [cfg.H, cfg.heads * headDim], s),
      tensor(`${p}post_attention_layernorm.weight`, [cfg.H], 'ones'),
      tensor(`${p}mlp.gate_proj.weight`, [cfg.I, cfg.H], s),
      tensor(`${p}mlp.up_proj.weight`, [cfg.I, cfg.H], s),
      tensor(`${p}mlp.down_proj.weight`, [cfg.H, cfg.I], s),
    );
  }
  tensors.push(tensor('model.norm.weight', [cfg.H], 'ones'), tensor('lm_head.weight', [cfg.V, cfg.H], s));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: cfg.H,
    intermediate_size: cfg.I,
    num_hidden_layers: cfg.L,
    num_attention_heads: cfg.heads,
    num_key_value_heads: cfg.kv,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    vocab_size: cfg.V,
    max_position_embeddings: MAX_LENGTH_BIG,
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return cfg;
}

async function measure(label, modelDir, tokenizerDir, options) {
  const model = await loadModel(modelDir, { log: (line) => console.log(`  ${line}`) });
  const tokenizer = await loadTokenizer(tokenizerDir);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const report = await evaluateTasks(model, tokenizer, [{ kind: 'mmlu', path: defaultMmluDir() }], { shots: 5, batchSize: 8, ...options });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  // CPU seconds of this process: the wall clock alone is misleading on a shared machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const r = report.results[0];
  model.dispose();
  console.log(
    `${label}: ${r.items} MMLU 5-shot items in ${seconds.toFixed(1)} s = ${(r.items / seconds).toFixed(2)} items/s ` +
      `(${(r.items / cpuSeconds).toFixed(2)} items per CPU-second; context cut to ${report.config.maxLength} tokens; backend ${model.backend}; acc ${r.acc.toFixed(3)})`,
  );
  return r.items / seconds;
}

const small = await measure('default model (stories260K)', defaultModelDir(), defaultModelDir(), {
  limit: Math.ceil(ITEMS_SMALL / 57),
});
const dir = await mkdtemp(join(tmpdir(), 'layerprune-bench-eval-'));
try {
  const t0 = performance.now();
  await writeRandomLlama(dir);
  // The random model borrows the default tokenizer (its files next to config.json).
  for (const name of await readdir(defaultModelDir())) {
    if (/^tokenizer/.test(name) || name === 'special_tokens_map.json') await copyFile(join(defaultModelDir(), name), join(dir, name));
  }
  console.log(`  wrote the random 16-layer model in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const big = await measure('random L16 H768 (150M params)', dir, dir, { limit: 2, subjects: SUBJECTS_BIG });
  console.log(`ratio default / random: ${(small / big).toFixed(1)}x`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
