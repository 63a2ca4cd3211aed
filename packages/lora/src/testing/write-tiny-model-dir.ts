// Writes a TinyModel as a Hugging Face model directory (config.json +
// model.safetensors) so merge and heal can be tested through openModelDir.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '@layerprune/tensor-io';
import type { TinyModel } from './tiny-model.js';

export async function writeTinyModelDir(dir: string, model: TinyModel): Promise<string> {
  await mkdir(dir, { recursive: true });
  const c = model.config;
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    num_key_value_heads: c.numKeyValueHeads,
    head_dim: c.headDim,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    ...(c.ropeScaling === null ? {} : { rope_scaling: ropeScalingJson(c.ropeScaling) }),
    vocab_size: c.vocabSize,
    tie_word_embeddings: c.tieWordEmbeddings,
    max_position_embeddings: 64,
    hidden_act: c.hiddenAct,
    torch_dtype: 'float32',
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  await writeSafetensors(
    join(dir, 'model.safetensors'),
    [...model.weights.entries()].map(([name, values]) => ({
      name,
      dtype: 'F32' as const,
      shape: name.endsWith('norm.weight') ? [values.length] : shapeOf(name, model),
      read: () => values,
    })),
  );
  return dir;
}

function shapeOf(name: string, model: TinyModel): number[] {
  const c = model.config;
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return [c.vocabSize, c.hiddenSize];
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const table: Record<string, number[]> = {
    q_proj: [q, c.hiddenSize],
    k_proj: [kv, c.hiddenSize],
    v_proj: [kv, c.hiddenSize],
    o_proj: [c.hiddenSize, q],
    gate_proj: [c.intermediateSize, c.hiddenSize],
    up_proj: [c.intermediateSize, c.hiddenSize],
    down_proj: [c.hiddenSize, c.intermediateSize],
  };
  const module = name.split('.').slice(-2, -1)[0];
  return table[module];
}

/** The config's rope scaling back in config.json form (rope_type plus its snake_case parameters). */
function ropeScalingJson(scaling: NonNullable<TinyModel['config']['ropeScaling']>): Record<string, unknown> {
  const { ropeType, ...rest } = scaling;
  return { ...rest, rope_type: ropeType };
}
