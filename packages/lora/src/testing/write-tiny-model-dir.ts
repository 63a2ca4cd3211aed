// Writes a TinyModel as a Hugging Face model directory (config.json +
// model.safetensors) so merge and heal can be tested through openModelDir.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '@layerprune/tensor-io';
import { checkpointLayout } from '../checkpoint-layout.js';
import type { TinyModel } from './tiny-model.js';

/** `modelType` (default llama) goes into config.json: 'phi3' for a model with fused projections. */
export async function writeTinyModelDir(dir: string, model: TinyModel, modelType: 'llama' | 'phi3' = 'llama'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const c = model.config;
  const config = {
    architectures: [modelType === 'phi3' ? 'Phi3ForCausalLM' : 'LlamaForCausalLM'],
    model_type: modelType,
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
  // Block linears, fused ones included: [rows, in] as the config's layout stores them.
  const module = name.split('.').slice(-2, -1)[0];
  const linear = checkpointLayout(c).find((l) => l.name === module);
  if (!linear) throw new Error(`tiny model dir: no shape for ${name}`);
  return [linear.rows, linear.columns];
}

/** The config's rope scaling back in config.json form (rope_type plus its snake_case parameters). */
function ropeScalingJson(scaling: NonNullable<TinyModel['config']['ropeScaling']>): Record<string, unknown> {
  const { ropeType, ...rest } = scaling;
  return { ...rest, rope_type: ropeType };
}
