// The tensors a Hugging Face decoder checkpoint holds for a given config,
// with the shape each must have and the config fields every dimension comes
// from. This is the one description of the architecture's tensor set: the
// validator checks directories against it and the model runtime reads by it.
import type { ArchitectureConfig } from './parse-architecture-config.js';
import { blockNorms, checkpointLinears, type CheckpointLinear, type LinearModule } from './block-modules.js';
import { layerTensorName } from './tensor-names.js';

export interface ExpectedDim {
  size: number;
  /** The config field(s) the size comes from, e.g. `vocab_size` or `num_key_value_heads*head_dim`. */
  field: string;
  /** The computation with its values, for messages: `num_key_value_heads 4 x head_dim 8`. */
  explain: string;
}

export interface ExpectedTensor {
  name: string;
  shape: number[];
  /** One entry per dimension of `shape`. */
  dims: ExpectedDim[];
  /**
   * False for tensors a checkpoint may hold or omit without changing the model:
   * lm_head.weight when the embeddings are tied (transformers ties it anyway),
   * and the rotary inv_freq buffers older transformers versions saved.
   */
  required: boolean;
  /** Block index for `model.layers.{i}.*` tensors, else null. */
  layer: number | null;
}

/** Every tensor of a checkpoint with this config, in checkpoint order (embeddings, blocks, final norm, head). */
export function expectedModelTensors(config: ArchitectureConfig): ExpectedTensor[] {
  const c = config;
  const hidden: ExpectedDim = { size: c.hiddenSize, field: 'hidden_size', explain: `hidden_size ${c.hiddenSize}` };
  const vocab: ExpectedDim = { size: c.vocabSize, field: 'vocab_size', explain: `vocab_size ${c.vocabSize}` };
  const inter: ExpectedDim = { size: c.intermediateSize, field: 'intermediate_size', explain: `intermediate_size ${c.intermediateSize}` };
  const q: ExpectedDim = {
    size: c.numAttentionHeads * c.headDim,
    field: 'num_attention_heads*head_dim',
    explain: `num_attention_heads ${c.numAttentionHeads} x head_dim ${c.headDim}`,
  };
  const kv: ExpectedDim = {
    size: c.numKeyValueHeads * c.headDim,
    field: 'num_key_value_heads*head_dim',
    explain: `num_key_value_heads ${c.numKeyValueHeads} x head_dim ${c.headDim}`,
  };
  const half: ExpectedDim = { size: Math.floor(c.headDim / 2), field: 'head_dim', explain: `head_dim ${c.headDim} / 2` };
  const headDim: ExpectedDim = { size: c.headDim, field: 'head_dim', explain: `head_dim ${c.headDim}` };
  // [out, in] of each logical module, as nn.Linear stores it.
  const moduleDims: Record<LinearModule, [ExpectedDim, ExpectedDim]> = {
    q_proj: [q, hidden],
    k_proj: [kv, hidden],
    v_proj: [kv, hidden],
    o_proj: [hidden, q],
    gate_proj: [inter, hidden],
    up_proj: [inter, hidden],
    down_proj: [hidden, inter],
  };
  // A fused tensor's rows are its parts' rows stacked (Phi-3: q + k + v, gate + up).
  const rowsOf = (linear: CheckpointLinear): ExpectedDim => {
    const dims = linear.parts.map((part) => moduleDims[part.module][0]);
    if (dims.length === 1) return dims[0];
    return { size: linear.rows, field: dims.map((d) => d.field).join('+'), explain: dims.map((d) => `(${d.explain})`).join(' + ') };
  };
  const tensor = (name: string, dims: ExpectedDim[], layer: number | null, required = true): ExpectedTensor => ({
    name,
    shape: dims.map((d) => d.size),
    dims,
    required,
    layer,
  });

  const out: ExpectedTensor[] = [tensor('model.embed_tokens.weight', [vocab, hidden], null)];
  for (let layer = 0; layer < c.numHiddenLayers; layer++) {
    for (const norm of blockNorms(c)) out.push(tensor(layerTensorName(layer, `${norm}.weight`), [hidden], layer));
    for (const linear of checkpointLinears(c)) {
      const outDim = rowsOf(linear);
      out.push(tensor(layerTensorName(layer, `${linear.path}.weight`), [outDim, moduleDims[linear.parts[0].module][1]], layer));
      if (linear.bias) out.push(tensor(layerTensorName(layer, `${linear.path}.bias`), [outDim], layer));
    }
    // qwen3, gemma3: per-head RMSNorm weights of queries and keys, after their projections.
    if (c.qkNorm) {
      out.push(tensor(layerTensorName(layer, 'self_attn.q_norm.weight'), [headDim], layer));
      out.push(tensor(layerTensorName(layer, 'self_attn.k_norm.weight'), [headDim], layer));
    }
    out.push(tensor(layerTensorName(layer, 'self_attn.rotary_emb.inv_freq'), [half], layer, false));
  }
  out.push(tensor('model.norm.weight', [hidden], null));
  out.push(tensor('model.rotary_emb.inv_freq', [half], null, false));
  out.push(tensor('lm_head.weight', [vocab, hidden], null, !c.tieWordEmbeddings));
  return out;
}
