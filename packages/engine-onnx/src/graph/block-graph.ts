// One Llama-family decoder block as an ONNX graph with its weights as graph
// INPUTS, so a single session serves every block (skipping a block or streaming
// its weights from disk is just a different feed):
//   h = x + o_proj(Attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x)), mask))
//   y = h + down_proj(silu(gate_proj(n2(h))) * up_proj(n2(h)))
// (qwen3, gemma3: rope(qn(q(n1(x)))) and rope(kn(k(n1(x)))), an RMSNorm of every head vector.)
// Gemma (sandwichNorms) normalises both branch outputs before their residual adds:
//   h = x + n2(o_proj(...)); y = h + n4(down_proj(gelu_tanh(gate_proj(n3(h))) * up_proj(n3(h))))
// and scales every norm by (1 + w); Gemma 2 softcaps the attention scores.
// Activations are 2-D [B*T, hidden] so every projection is one Gemm with the
// weight in its Hugging Face layout [out, in] (transB): no transposed copy of
// any weight is ever made (measured against MatMul on pre-transposed weights:
// the same speed within noise for 4 x 128 tokens and for 1 token per block). Attention is opset-23 Attention (grouped kv heads,
// additive mask for causal and sliding-window masking, optional KV cache).
import { hasLinearBias } from '@layerprune/architectures';
import type { Architecture, LinearModule } from '@layerprune/model';
import { mlpActivation, normScale } from './shared-ops.js';
import { GraphBuilder, MICROSOFT_DOMAIN } from './graph-builder.js';
import { linearDims } from './linear-dims.js';

export const BLOCK_LINEAR_MODULES: readonly LinearModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** Which projections carry a bias, as architectures' hasLinearBias says (qwen2: q/k/v; attention_bias: q/k/v/o). */
export function biasModules(arch: Architecture): LinearModule[] {
  return BLOCK_LINEAR_MODULES.filter((m) => hasLinearBias(arch.config, m));
}

export interface FourBitLayout {
  quantType: 'nf4' | 'fp4';
  blockSize: number;
}

/** Block sizes onnxruntime's MatMulBnb4 kernel implements. */
export const BNB4_BLOCK_SIZES: readonly number[] = [16, 32, 64, 128, 256];

export interface BlockGraphOptions {
  /** Decoding: past_key / past_value inputs and present_key / present_value outputs [B, nKV, keys, headDim]. */
  kvCache: boolean;
  /**
   * Linear weights fed 4-bit as stored (com.microsoft MatMulBnb4: `${module}` uint8 packed [out, in],
   * `${module}_absmax` float32 per block) instead of float32 [out, in].
   */
  fourBit?: FourBitLayout;
}

/** '' for float32 weights, e.g. '_nf4_64' for 4-bit ones: part of the graph's (and session's) name. */
export function fourBitSuffix(fourBit: FourBitLayout | undefined): string {
  return fourBit ? `_${fourBit.quantType}_${fourBit.blockSize}` : '';
}

/**
 * Inputs: x [rows, H] (rows = B*T); positions int64 [B, T] (row indices into cos/sin);
 * cos, sin [P, headDim/2]; mask [T, K] additive; ln1, ln2 [H]; `${module}` [out, in];
 * `${module}_bias` [out]; with arch.qkNorm q_norm, k_norm [headDim]; with sandwich norms
 * pre_ffn_norm, post_ffn_norm [H]; with kvCache past_key, past_value. Output y [rows, H].
 * Norm weights are fed as stored: the graph adds the config's normWeightOffset.
 */
export function buildBlockGraph(arch: Architecture, options: BlockGraphOptions): Uint8Array {
  const { hiddenSize: H, numHeads, numKvHeads, headDim, rmsNormEps } = arch;
  const g = new GraphBuilder(`${options.kvCache ? 'block_decode' : 'block'}${fourBitSuffix(options.fourBit)}`);
  const x = g.input('x', 'float32', ['rows', H]);
  const positions = g.input('positions', 'int64', ['batch', 'tokens']);
  const cos = g.input('cos', 'float32', ['table', headDim / 2]);
  const sin = g.input('sin', 'float32', ['table', headDim / 2]);
  const mask = g.input('mask', 'float32', ['tokens', 'keys']);
  const normInput = (name: string, size: number): string => normScale(g, g.input(name, 'float32', [size]), arch.normWeightOffset);
  const ln1 = normInput('ln1', H);
  const ln2 = normInput('ln2', H);
  const qkNorm = arch.qkNorm ? { q: normInput('q_norm', headDim), k: normInput('k_norm', headDim) } : null;
  const ffnNorms = arch.sandwichNorms ? { pre: normInput('pre_ffn_norm', H), post: normInput('post_ffn_norm', H) } : null;
  const outDims = Object.fromEntries(BLOCK_LINEAR_MODULES.map((m) => [m, linearDims(arch, m)])) as Record<LinearModule, [number, number]>;
  const fourBit = options.fourBit;
  const values = (m: LinearModule): number => outDims[m][0] * outDims[m][1];
  const weights = Object.fromEntries(
    BLOCK_LINEAR_MODULES.map((m) => [m, fourBit ? g.input(m, 'uint8', [Math.ceil(values(m) / 2)]) : g.input(m, 'float32', outDims[m])]),
  ) as Record<LinearModule, string>;
  const absmax = fourBit
    ? (Object.fromEntries(BLOCK_LINEAR_MODULES.map((m) => [m, g.input(`${m}_absmax`, 'float32', [Math.ceil(values(m) / fourBit.blockSize)])])) as Record<LinearModule, string>)
    : null;
  const biases = Object.fromEntries(biasModules(arch).map((m) => [m, g.input(`${m}_bias`, 'float32', [outDims[m][0]])])) as Partial<Record<LinearModule, string>>;
  const past = options.kvCache
    ? { key: g.input('past_key', 'float32', ['batch', numKvHeads, 'past', headDim]), value: g.input('past_value', 'float32', ['batch', numKvHeads, 'past', headDim]) }
    : null;

  const linear = (input: string, module: LinearModule): string => {
    const bias = biases[module];
    if (fourBit && absmax) {
      const [out, inFeatures] = outDims[module];
      const attributes = { K: inFeatures, N: out, block_size: fourBit.blockSize, quant_type: fourBit.quantType === 'nf4' ? 1 : 0 };
      const [product] = g.opOutputs('MatMulBnb4', [input, weights[module], absmax[module]], 1, attributes, MICROSOFT_DOMAIN);
      return bias ? g.op('Add', [product, bias]) : product;
    }
    return g.op('Gemm', bias ? [input, weights[module], bias] : [input, weights[module]], { transB: 1 });
  };
  const rmsNorm = (input: string, scale: string): string => g.op('RMSNormalization', [input, scale], { axis: -1, epsilon: { float: rmsNormEps } });
  // [rows, D] <-> [B, T, D]: the batch and token counts come from the positions input.
  const batchTokensShape = g.op('Concat', [g.op('Shape', [positions]), g.int64s([-1])], { axis: 0 });
  const toSequences = (value: string): string => g.op('Reshape', [value, batchTokensShape]);

  const n1 = rmsNorm(x, ln1);
  const rope = (value: string, heads: number): string => g.op('RotaryEmbedding', [value, cos, sin, positions], { num_heads: heads, interleaved: 0 });
  // qwen3: [rows, heads * headDim] -> [rows * heads, headDim], RMSNorm over each head vector; toSequences
  // then reshapes to [B, T, heads * headDim] (the same row-major values) for RotaryEmbedding.
  const headNorm = (value: string, scale: string | undefined): string =>
    scale === undefined ? value : rmsNorm(g.op('Reshape', [value, g.int64s([-1, headDim])]), scale);
  const q = rope(toSequences(headNorm(linear(n1, 'q_proj'), qkNorm?.q)), numHeads);
  const k = rope(toSequences(headNorm(linear(n1, 'k_proj'), qkNorm?.k)), numKvHeads);
  const v = toSequences(linear(n1, 'v_proj'));
  const attentionInputs = past ? [q, k, v, mask, past.key, past.value] : [q, k, v, mask];
  const [attended, presentKey, presentValue] = g.opOutputs('Attention', attentionInputs, past ? 3 : 1, {
    q_num_heads: numHeads,
    kv_num_heads: numKvHeads,
    scale: { float: arch.attentionScale },
    // onnxruntime's CPU kernel caps the scaled scores before adding the mask, as transformers does
    // (checked against the float64 reference in gemma2-vs-reference.test.ts).
    ...(arch.attnLogitSoftcap === null ? {} : { softcap: { float: arch.attnLogitSoftcap } }),
  });
  const attendedRows = g.op('Reshape', [attended, g.int64s([-1, numHeads * headDim])]);
  const attnOut = linear(attendedRows, 'o_proj');
  const h = g.op('Add', [x, ffnNorms ? rmsNorm(attnOut, ln2) : attnOut]);
  const n2 = rmsNorm(h, ffnNorms ? ffnNorms.pre : ln2);
  const act = mlpActivation(g, linear(n2, 'gate_proj'), arch.activation);
  const mlpOut = linear(g.op('Mul', [act, linear(n2, 'up_proj')]), 'down_proj');
  const y = g.op('Add', [h, ffnNorms ? rmsNorm(mlpOut, ffnNorms.post) : mlpOut]);
  g.output('y', y, 'float32', ['rows', H]);
  if (past) {
    g.output('present_key', presentKey, 'float32', ['batch', numKvHeads, 'keys', headDim]);
    g.output('present_value', presentValue, 'float32', ['batch', numKvHeads, 'keys', headDim]);
  }
  return g.encode();
}
