// A small random Llama model directory (config, safetensors, tokenizer files)
// written with @layerprune/tensor-io, for the model-level tests.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFromFloat32, writeSafetensors, type DType, type TensorSource } from '@layerprune/tensor-io';
import { gaussian } from './gaussian.js';

export interface TinyModelOptions {
  hidden?: number;
  intermediate?: number;
  layers?: number;
  vocab?: number;
  dtype?: 'F32' | 'BF16' | 'F16';
  /** Add lm_head.weight (untied); default true. */
  lmHead?: boolean;
}

export interface TinyModel {
  dir: string;
  /** The float32 values of every tensor as written (after rounding to dtype). */
  tensors: Map<string, { dtype: DType; shape: number[]; values: Float32Array }>;
}

export async function makeTempDir(prefix = 'quant-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function writeTinyModel(dir: string, options: TinyModelOptions = {}): Promise<TinyModel> {
  const hidden = options.hidden ?? 64;
  const intermediate = options.intermediate ?? 96;
  const layers = options.layers ?? 2;
  const vocab = options.vocab ?? 40;
  const dtype = options.dtype ?? 'F32';
  const heads = 4;
  const kvHeads = 2;
  const headDim = hidden / heads;
  await mkdir(dir, { recursive: true });
  const shapes: [string, number[]][] = [['model.embed_tokens.weight', [vocab, hidden]]];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    shapes.push(
      [`${p}.input_layernorm.weight`, [hidden]],
      [`${p}.self_attn.q_proj.weight`, [heads * headDim, hidden]],
      [`${p}.self_attn.k_proj.weight`, [kvHeads * headDim, hidden]],
      [`${p}.self_attn.v_proj.weight`, [kvHeads * headDim, hidden]],
      [`${p}.self_attn.o_proj.weight`, [hidden, heads * headDim]],
      [`${p}.post_attention_layernorm.weight`, [hidden]],
      [`${p}.mlp.gate_proj.weight`, [intermediate, hidden]],
      [`${p}.mlp.up_proj.weight`, [intermediate, hidden]],
      [`${p}.mlp.down_proj.weight`, [hidden, intermediate]],
    );
  }
  shapes.push(['model.norm.weight', [hidden]]);
  if (options.lmHead !== false) shapes.push(['lm_head.weight', [vocab, hidden]]);
  const tensors: TinyModel['tensors'] = new Map();
  const sources: TensorSource[] = shapes.map(([name, shape], k) => {
    const numel = shape.reduce((a, b) => a * b, 1);
    const raw = name.endsWith('norm.weight') ? new Float32Array(numel).map((_, i) => 1 + 0.01 * Math.sin(i)) : gaussian(numel, 100 + k, 0.02);
    const bytes = encodeFromFloat32(raw, dtype);
    const values = dtype === 'F32' ? raw : roundTrip(bytes, dtype, numel);
    tensors.set(name, { dtype, shape, values });
    return { name, dtype, shape, read: () => bytes };
  });
  await writeSafetensors(join(dir, 'model.safetensors'), sources, { metadata: { format: 'pt' } });
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    vocab_size: vocab,
    max_position_embeddings: 256,
    tie_word_embeddings: options.lmHead === false,
    torch_dtype: { F32: 'float32', BF16: 'bfloat16', F16: 'float16' }[dtype],
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {} } }));
  await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }));
  await writeFile(join(dir, 'README.md'), '# tiny test model\n');
  return { dir, tensors };
}

function roundTrip(bytes: Uint8Array, dtype: 'BF16' | 'F16', numel: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(numel);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < numel; i++) {
    const h = view.getUint16(2 * i, true);
    if (dtype === 'BF16') {
      u32[0] = h << 16;
      out[i] = f32[0];
    } else {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      out[i] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? sign * (frac ? NaN : Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
    }
  }
  return out;
}
