// Cold start: time from loadModel() to the logits of a 1-token forward, in a
// fresh process per engine, for the 16-layer hidden-768 model written to disk
// (float32 safetensors, 0.6 GB). The tfjs engine reads every block before its
// first pass; the ONNX engine reads a block when a pass first needs it, so a
// short `generate` or a probe starts sooner. Both runs read the same file (in
// the page cache after it is written), so the difference is reading and
// converting weights, not the disk. Usage: node bench/cold-start.mjs [--json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const [engineName, dir] = process.argv.slice(3);
  const t0 = performance.now();
  const { loadModel, tfjsEngineFactory } = await import('@layerprune/model');
  const engine = engineName === 'onnx' ? (await import('../dist/index.js')).onnxEngineFactory() : tfjsEngineFactory('wasm');
  const model = await loadModel(dir, { engine, mode: 'resident', log: () => {} });
  const loaded = performance.now();
  await model.forward([[1]], { logits: 'last' });
  const first = performance.now();
  await model.forward([[1]], { logits: 'last' });
  const second = performance.now();
  console.log(JSON.stringify({ engine: engineName, loadSeconds: (loaded - t0) / 1000, firstTokenSeconds: (first - t0) / 1000, warmForwardSeconds: (second - first) / 1000 }));
  model.dispose();
  process.exit(0);
}

const { writeSafetensors } = await import('@layerprune/tensor-io');
const json = process.argv.includes('--json');
const shape = { hidden: 768, intermediate: 2048, layers: 16, heads: 12, kvHeads: 4, vocab: 32000 };
const dir = mkdtempSync(join(tmpdir(), 'layerprune-cold-start-'));
try {
  const config = {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: shape.hidden, intermediate_size: shape.intermediate,
    num_hidden_layers: shape.layers, num_attention_heads: shape.heads, num_key_value_heads: shape.kvHeads, hidden_act: 'silu',
    rms_norm_eps: 1e-5, rope_theta: 10000, vocab_size: shape.vocab, tie_word_embeddings: false, max_position_embeddings: 2048,
    torch_dtype: 'float32', bos_token_id: 1, eos_token_id: 2,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  let seed = 1;
  const uniform = (n, scale) => {
    const out = new Float32Array(n);
    let s = (seed++ * 2654435761) >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      out[i] = ((s >>> 0) / 4294967296 - 0.5) * scale;
    }
    return out;
  };
  const { hidden: h, intermediate: im, heads, kvHeads, vocab } = shape;
  const hd = h / heads;
  const tensors = [];
  const add = (name, dims, scale) => tensors.push({ name, dtype: 'F32', shape: dims, read: () => (scale === 0 ? new Float32Array(dims.reduce((a, b) => a * b)).fill(1) : uniform(dims.reduce((a, b) => a * b), scale)) });
  add('model.embed_tokens.weight', [vocab, h], 2);
  for (let l = 0; l < shape.layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [h], 0);
    add(`${p}.post_attention_layernorm.weight`, [h], 0);
    for (const [m, out, inF] of [['self_attn.q_proj', heads * hd, h], ['self_attn.k_proj', kvHeads * hd, h], ['self_attn.v_proj', kvHeads * hd, h], ['self_attn.o_proj', h, heads * hd], ['mlp.gate_proj', im, h], ['mlp.up_proj', im, h], ['mlp.down_proj', h, im]]) {
      add(`${p}.${m}.weight`, [out, inF], 2 * Math.sqrt(3 / inF));
    }
  }
  add('model.norm.weight', [h], 0);
  add('lm_head.weight', [vocab, h], 2 * Math.sqrt(3 / h));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  const rows = ['tfjs', 'onnx'].map((engine) => JSON.parse(execFileSync(process.execPath, [self, '--child', engine, dir], { encoding: 'utf8' }).trim().split('\n').pop()));
  if (json) console.log(JSON.stringify({ model: shape, rows }, null, 2));
  else {
    console.log('16 layers, hidden 768, vocab 32000, float32 safetensors (0.6 GB); fresh process per engine');
    for (const r of rows) console.log(`${r.engine.padEnd(5)} load ${r.loadSeconds.toFixed(2)} s, first 1-token logits after ${r.firstTokenSeconds.toFixed(2)} s, warm 1-token forward ${(r.warmForwardSeconds * 1000).toFixed(0)} ms`);
    console.log(`time to first logits, tfjs / onnx: ${(rows[0].firstTokenSeconds / rows[1].firstTokenSeconds).toFixed(2)}x`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
