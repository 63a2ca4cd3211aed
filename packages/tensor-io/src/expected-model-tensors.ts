// The tensors a Hugging Face Llama-family checkpoint holds for a given config,
// with the shape each must have and the config fields every dimension comes
// from. This is the one description of the architecture's tensor set: the
// validator checks directories against it and the model runtime reads by it.
import type { LlamaFamilyConfig } from './llama-family-config.js';
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

const PROJECTIONS = [
  ['self_attn.q_proj', 'q'],
  ['self_attn.k_proj', 'kv'],
  ['self_attn.v_proj', 'kv'],
  ['self_attn.o_proj', 'o'],
  ['mlp.gate_proj', 'up'],
  ['mlp.up_proj', 'up'],
  ['mlp.down_proj', 'down'],
] as const;

/**
 * Which linear modules carry a bias, as in transformers: qwen2 q/k/v; llama and
 * qwen3 with attention_bias q/k/v/o; llama with mlp_bias gate/up/down; mistral none.
 */
function hasBias(config: LlamaFamilyConfig, rawConfig: Record<string, unknown>, module: string): boolean {
  if (module.startsWith('mlp.')) return config.modelType === 'llama' && rawConfig.mlp_bias === true;
  if (!config.attentionBias) return false;
  return module !== 'self_attn.o_proj' || config.modelType !== 'qwen2';
}

/** Every tensor of a checkpoint with this config, in checkpoint order (embeddings, blocks, final norm, head). */
export function expectedModelTensors(config: LlamaFamilyConfig, rawConfig: Record<string, unknown> = {}): ExpectedTensor[] {
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
  // [out, in] of each projection, as nn.Linear stores it.
  const linear: Record<(typeof PROJECTIONS)[number][1], [ExpectedDim, ExpectedDim]> = {
    q: [q, hidden],
    kv: [kv, hidden],
    o: [hidden, q],
    up: [inter, hidden],
    down: [hidden, inter],
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
    out.push(tensor(layerTensorName(layer, 'input_layernorm.weight'), [hidden], layer));
    for (const [module, kind] of PROJECTIONS) {
      const [outDim, inDim] = linear[kind];
      out.push(tensor(layerTensorName(layer, `${module}.weight`), [outDim, inDim], layer));
      if (hasBias(c, rawConfig, module)) out.push(tensor(layerTensorName(layer, `${module}.bias`), [outDim], layer));
      // qwen3: per-head RMSNorm weights of queries and keys, after their projections.
      if (c.qkNorm && (module === 'self_attn.q_proj' || module === 'self_attn.k_proj')) {
        out.push(tensor(layerTensorName(layer, `self_attn.${module === 'self_attn.q_proj' ? 'q' : 'k'}_norm.weight`), [headDim], layer));
      }
    }
    out.push(tensor(layerTensorName(layer, 'post_attention_layernorm.weight'), [hidden], layer));
    out.push(tensor(layerTensorName(layer, 'self_attn.rotary_emb.inv_freq'), [half], layer, false));
  }
  out.push(tensor('model.norm.weight', [hidden], null));
  out.push(tensor('model.rotary_emb.inv_freq', [half], null, false));
  out.push(tensor('lm_head.weight', [vocab, hidden], null, !c.tieWordEmbeddings));
  return out;
}
