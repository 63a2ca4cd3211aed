import type { TensorSource } from '@layerprune/tensor-io';
import type { Llama2cCheckpoint } from './open-llama2c-checkpoint.js';
import { interleavedToRotateHalf } from './rotary-permutation.js';

/**
 * The Hugging Face Llama tensors of a llama2.c checkpoint, in model order, each
 * read from the checkpoint only when the writer asks for it. Linear weights keep
 * their [out, in] layout (run.c's matmul already reads W as out x in); only the
 * rows of q_proj and k_proj are permuted to the rotate-half rotary layout.
 */
export function hfWeightSources(checkpoint: Llama2cCheckpoint): TensorSource[] {
  const h = checkpoint.header;
  const qDim = h.nHeads * h.headSize;
  const f32 = (name: string, shape: number[], read: () => Promise<Float32Array>): TensorSource => ({
    name,
    dtype: 'F32',
    shape,
    read,
  });
  const sources: TensorSource[] = [
    f32('model.embed_tokens.weight', [h.vocabSize, h.dim], () => checkpoint.read('token_embedding')),
  ];
  for (let l = 0; l < h.nLayers; l++) {
    const p = `model.layers.${l}`;
    sources.push(
      f32(`${p}.input_layernorm.weight`, [h.dim], () => checkpoint.read('rms_att', l)),
      f32(`${p}.self_attn.q_proj.weight`, [qDim, h.dim], async () =>
        interleavedToRotateHalf(await checkpoint.read('wq', l), h.nHeads, h.headSize, h.dim),
      ),
      f32(`${p}.self_attn.k_proj.weight`, [h.kvDim, h.dim], async () =>
        interleavedToRotateHalf(await checkpoint.read('wk', l), h.nKvHeads, h.headSize, h.dim),
      ),
      f32(`${p}.self_attn.v_proj.weight`, [h.kvDim, h.dim], () => checkpoint.read('wv', l)),
      f32(`${p}.self_attn.o_proj.weight`, [h.dim, qDim], () => checkpoint.read('wo', l)),
      f32(`${p}.post_attention_layernorm.weight`, [h.dim], () => checkpoint.read('rms_ffn', l)),
      f32(`${p}.mlp.gate_proj.weight`, [h.hiddenDim, h.dim], () => checkpoint.read('w1', l)),
      f32(`${p}.mlp.up_proj.weight`, [h.hiddenDim, h.dim], () => checkpoint.read('w3', l)),
      f32(`${p}.mlp.down_proj.weight`, [h.dim, h.hiddenDim], () => checkpoint.read('w2', l)),
    );
  }
  sources.push(f32('model.norm.weight', [h.dim], () => checkpoint.read('rms_final')));
  if (!h.sharedClassifier) {
    sources.push(f32('lm_head.weight', [h.vocabSize, h.dim], () => checkpoint.read('wcls')));
  }
  return sources;
}
