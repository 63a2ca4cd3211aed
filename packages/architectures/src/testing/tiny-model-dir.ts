// A complete, tiny Llama-family model directory for the validation tests, its
// tensor list spelled out by hand (not derived from expectedModelTensors, which
// is under test), with knobs to break it one way at a time.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DTYPE_BYTES, writeSafetensors, type DType, type TensorSource } from '@layerprune/tensor-io';

export interface TinyModelDirOptions {
  modelType?: 'llama' | 'mistral' | 'qwen2' | 'qwen3';
  layers?: number;
  tie?: boolean;
  /** Merged over config.json. */
  config?: Record<string, unknown>;
  omit?: string[];
  reshape?: Record<string, number[]>;
  dtype?: Record<string, DType>;
  /** Extra tensors: name -> shape (F32). */
  extra?: Record<string, number[]>;
}

// hidden 8, 2 heads of 4, 1 kv head, intermediate 12, vocab 10.
export const TINY = { hidden: 8, heads: 2, kvHeads: 1, headDim: 4, intermediate: 12, vocab: 10 } as const;

export function tinyTensorShapes(options: TinyModelDirOptions = {}): [string, number[]][] {
  const { hidden, heads, kvHeads, headDim, intermediate, vocab } = TINY;
  const type = options.modelType ?? 'llama';
  const shapes: [string, number[]][] = [['model.embed_tokens.weight', [vocab, hidden]]];
  for (let l = 0; l < (options.layers ?? 2); l++) {
    const p = `model.layers.${l}`;
    shapes.push(
      [`${p}.input_layernorm.weight`, [hidden]],
      [`${p}.self_attn.q_proj.weight`, [heads * headDim, hidden]],
      [`${p}.self_attn.k_proj.weight`, [kvHeads * headDim, hidden]],
      [`${p}.self_attn.v_proj.weight`, [kvHeads * headDim, hidden]],
      [`${p}.self_attn.o_proj.weight`, [hidden, heads * headDim]],
      [`${p}.mlp.gate_proj.weight`, [intermediate, hidden]],
      [`${p}.mlp.up_proj.weight`, [intermediate, hidden]],
      [`${p}.mlp.down_proj.weight`, [hidden, intermediate]],
      [`${p}.post_attention_layernorm.weight`, [hidden]],
    );
    if (type === 'qwen2') {
      shapes.push([`${p}.self_attn.q_proj.bias`, [heads * headDim]], [`${p}.self_attn.k_proj.bias`, [kvHeads * headDim]], [`${p}.self_attn.v_proj.bias`, [kvHeads * headDim]]);
    }
    if (type === 'qwen3') shapes.push([`${p}.self_attn.q_norm.weight`, [headDim]], [`${p}.self_attn.k_norm.weight`, [headDim]]);
  }
  shapes.push(['model.norm.weight', [hidden]]);
  if (!(options.tie ?? false)) shapes.push(['lm_head.weight', [vocab, hidden]]);
  return shapes;
}

export function tinyConfig(options: TinyModelDirOptions = {}): Record<string, unknown> {
  return {
    model_type: options.modelType ?? 'llama',
    hidden_size: TINY.hidden,
    intermediate_size: TINY.intermediate,
    num_hidden_layers: options.layers ?? 2,
    num_attention_heads: TINY.heads,
    num_key_value_heads: TINY.kvHeads,
    // Qwen3Config's head_dim default is 128, not hidden / heads: spell it out, as saved configs do.
    ...(options.modelType === 'qwen3' ? { head_dim: TINY.headDim } : {}),
    vocab_size: TINY.vocab,
    tie_word_embeddings: options.tie ?? false,
    ...options.config,
  };
}

/** Writes config.json, model.safetensors (zeros) and tokenizer.json into `dir`. */
export async function writeTinyModelDir(dir: string, options: TinyModelDirOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const shapes = tinyTensorShapes(options).filter(([name]) => !options.omit?.includes(name));
  for (const [name, shape] of Object.entries(options.extra ?? {})) shapes.push([name, shape]);
  const sources: TensorSource[] = shapes.map(([name, original]) => {
    const shape = options.reshape?.[name] ?? original;
    const dtype = options.dtype?.[name] ?? 'F32';
    const bytes = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    return { name, dtype, shape, read: () => new Uint8Array(bytes) };
  });
  await writeSafetensors(join(dir, 'model.safetensors'), sources, { metadata: { format: 'pt' } });
  await writeFile(join(dir, 'config.json'), JSON.stringify(tinyConfig(options)));
  await writeFile(join(dir, 'tokenizer.json'), '{}');
  return dir;
}
