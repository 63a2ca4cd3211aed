// One decoder block with LoRA adapters for training, as ONNX graphs whose
// backward is written out by hand (onnxruntime-node has no training API):
//   forward:  x -> y, optionally returning the activations the backward needs;
//   backward: dy (+ those activations, or x alone, recomputing the forward in
//             the same graph) -> dx and dA, dB of every adapter of the block.
// Attention is spelt out (MatMul, mask, Softmax, MatMul) in grouped form
// [B, kvHeads, group, T, headDim], so the saved probabilities feed the backward
// and no key/value is ever repeated per query head. Layouts: weights [out, in]
// (Hugging Face), A [r, in] and B [out, r] (PEFT): every gradient comes out in
// the layout it is stored in.
// Gemma: norms scale by (offset + w) (the inputs hand over that scale), sandwich
// norms wrap both branch outputs, attention scores are softcapped before the
// mask, and the MLP gate is GELU (tanh): the same emitters as the inference graph.
import type { Architecture, LinearModule } from '@layerprune/model';
import { GraphBuilder, MICROSOFT_DOMAIN } from '../graph/graph-builder.js';
import type { FourBitLayout } from '../graph/block-graph.js';
import { mlpActivation, softcap } from '../graph/shared-ops.js';
import { mlpActivationDerivative, rmsNormBackward, softcapDerivative } from './graph-math.js';
import { linearDims } from '../graph/linear-dims.js';
import { blockInputs, type BlockInputs } from './train-block-inputs.js';
import { adapterName, savedActivations, savedName, trainGraphKey, type SavedActivation, type TrainBlockSpec } from './train-block-spec.js';

export { adapterName, savedActivations, savedName, trainGraphKey, SAVED_ACTIVATIONS, type SavedActivation, type TrainBlockSpec } from './train-block-spec.js';

/** Emits the block forward; returns y and every activation the backward reads. */
function emitForward(g: GraphBuilder, spec: TrainBlockSpec, io: BlockInputs, fourBit: FourBitLayout | undefined): { y: string; saved: Record<SavedActivation, string> } {
  const { arch } = spec;
  const { numHeads, numKvHeads, headDim: D, rmsNormEps } = arch;
  const group = numHeads / numKvHeads;
  const linear = (input: string, m: LinearModule): string => {
    const bias = io.biases[m];
    let base: string;
    if (fourBit && io.absmax) {
      const [out, inF] = linearDims(arch, m);
      const attributes = { K: inF, N: out, block_size: fourBit.blockSize, quant_type: fourBit.quantType === 'nf4' ? 1 : 0 };
      const [product] = g.opOutputs('MatMulBnb4', [input, io.weights[m], io.absmax[m]], 1, attributes, MICROSOFT_DOMAIN);
      base = bias ? g.op('Add', [product, bias]) : product;
    } else {
      base = g.op('Gemm', bias ? [input, io.weights[m], bias] : [input, io.weights[m]], { transB: 1 });
    }
    const a = io.a[m];
    const b = io.b[m];
    if (!a || !b) return base;
    // PEFT: base + scaling * B(A(dropout(x))); the last Gemm adds the base product as its C.
    const z = io.masks[m] ? g.op('Mul', [input, io.masks[m]!]) : input;
    const t = g.op('Gemm', [z, a], { transB: 1 });
    return g.op('Gemm', [t, b, base], { transB: 1, alpha: { float: spec.scaling }, beta: { float: 1 } });
  };
  const rmsNorm = (input: string, scale: string): string => g.op('RMSNormalization', [input, scale], { axis: -1, epsilon: { float: rmsNormEps } });
  const batchTokens = g.op('Concat', [g.op('Shape', [io.positions]), g.int64s([-1])], { axis: 0 });
  const rope = (rows: string, heads: number): string =>
    g.op('RotaryEmbedding', [g.op('Reshape', [rows, batchTokens]), io.cos, io.sin, io.positions], { num_heads: heads, interleaved: 0 });

  const n1 = rmsNorm(io.x, io.ln1);
  // qwen3: RMSNorm over each head's D values ([rows, heads*D] seen as [rows*heads, D]).
  const headNorm = (rows: string, scale: string, heads: number): string =>
    spec.qkNorm ? g.op('Reshape', [rmsNorm(g.op('Reshape', [rows, g.int64s([-1, D])]), scale), g.int64s([-1, heads * D])]) : rows;
  const qProj = linear(n1, 'q_proj');
  const kProj = linear(n1, 'k_proj');
  // [B, T, heads*D] -> [B, kv, group, T, D] (query head h = kv * group + g, as repeat_kv pairs them).
  const q = g.op('Transpose', [g.op('Reshape', [rope(headNorm(qProj, io.qNorm, numHeads), numHeads), g.int64s([0, 0, numKvHeads, group, D])])], { perm: [0, 2, 3, 1, 4] });
  const k = g.op('Transpose', [g.op('Reshape', [rope(headNorm(kProj, io.kNorm, numKvHeads), numKvHeads), g.int64s([0, 0, numKvHeads, D])])], { perm: [0, 2, 1, 3] });
  const v = g.op('Transpose', [g.op('Reshape', [g.op('Reshape', [linear(n1, 'v_proj'), batchTokens]), g.int64s([0, 0, numKvHeads, D])])], { perm: [0, 2, 1, 3] });
  const k5 = g.op('Unsqueeze', [k, g.int64s([2])]);
  const v5 = g.op('Unsqueeze', [v, g.int64s([2])]);
  const scores = attentionScores(g, arch, q, k5);
  const probs = g.op('Softmax', [g.op('Add', [scores, io.mask])], { axis: -1 });
  const context = g.op('MatMul', [probs, v5]);
  const attended = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 3, 1, 2, 4] }), g.int64s([-1, numHeads * D])]);
  const sandwich = arch.sandwichNorms;
  const attnOut = linear(attended, 'o_proj');
  const h = g.op('Add', [io.x, sandwich ? rmsNorm(attnOut, io.ln2) : attnOut]);
  const n2 = rmsNorm(h, sandwich ? io.preFfn : io.ln2);
  const gate = linear(n2, 'gate_proj');
  const up = linear(n2, 'up_proj');
  const act = g.op('Mul', [mlpActivation(g, gate, arch.activation), up]);
  const mlpOut = linear(act, 'down_proj');
  const y = g.op('Add', [h, sandwich ? rmsNorm(mlpOut, io.postFfn) : mlpOut]);
  return { y, saved: { x: io.x, n1, q, k, v, probs, attended, h, n2, gate, up, act, qProj, kProj, attnOut, mlpOut } };
}

/** Scaled (and, with attnLogitSoftcap, capped) scores q k^T, before the mask: [B, kv, group, T, T]. */
function attentionScores(g: GraphBuilder, arch: Architecture, q: string, k5: string): string {
  const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k5], { perm: [0, 1, 2, 4, 3] })]), g.float32s([arch.attentionScale])]);
  return arch.attnLogitSoftcap === null ? scores : softcap(g, scores, arch.attnLogitSoftcap);
}

/** Emits dx and the adapter gradients from the saved activations and dy; marks them as outputs. */
function emitBackward(g: GraphBuilder, spec: TrainBlockSpec, io: BlockInputs, s: Record<SavedActivation, string>, dy: string, sinNeg: string): void {
  const { arch } = spec;
  const { numHeads, numKvHeads, headDim: D, hiddenSize: H } = arch;
  const group = numHeads / numKvHeads;
  const scale = g.float32s([arch.attentionScale]);
  // dx of one linear (frozen W: dx = dout W) plus its adapter's gradients.
  const linearBackward = (dout: string, input: string, m: LinearModule): string => {
    const dxBase = g.op('MatMul', [dout, io.weights[m]]);
    const a = io.a[m];
    const b = io.b[m];
    if (!a || !b) return dxBase;
    const mask = io.masks[m];
    const z = mask ? g.op('Mul', [input, mask]) : input;
    const t = g.op('Gemm', [z, a], { transB: 1 });
    g.output(adapterName.gradB(m), g.op('Gemm', [dout, t], { transA: 1, alpha: { float: spec.scaling } }), 'float32', [linearDims(arch, m)[0], spec.rank]);
    const dt = g.op('Gemm', [dout, b], { alpha: { float: spec.scaling } });
    g.output(adapterName.gradA(m), g.op('Gemm', [dt, z], { transA: 1 }), 'float32', [spec.rank, linearDims(arch, m)[1]]);
    if (mask) return g.op('Add', [dxBase, g.op('Mul', [g.op('MatMul', [dt, a]), mask])]);
    return g.op('Gemm', [dt, a, dxBase], { beta: { float: 1 } });
  };
  const batchTokens = g.op('Concat', [g.op('Shape', [io.positions]), g.int64s([-1])], { axis: 0 });
  // Rotation by -theta is the transpose of rotation by theta: the same op with sin negated.
  const unrope = (heads3d: string, heads: number): string =>
    g.op('RotaryEmbedding', [heads3d, io.cos, sinNeg, io.positions], { num_heads: heads, interleaved: 0 });
  const toRows = (value: string, width: number): string => g.op('Reshape', [value, g.int64s([-1, width])]);

  const sandwich = arch.sandwichNorms;
  // y = h + down(act), or h + postFfn(down(act)) with sandwich norms (frozen norm weights: only dx)
  const dMlpOut = sandwich ? rmsNormBackward(g, s.mlpOut, io.postFfn, dy, arch.rmsNormEps) : dy;
  const dAct = linearBackward(dMlpOut, s.act, 'down_proj');
  const dUp = g.op('Mul', [dAct, mlpActivation(g, s.gate, arch.activation)]);
  const dGate = g.op('Mul', [g.op('Mul', [dAct, s.up]), mlpActivationDerivative(g, s.gate, arch.activation)]);
  const dn2 = g.op('Add', [linearBackward(dGate, s.n2, 'gate_proj'), linearBackward(dUp, s.n2, 'up_proj')]);
  const dh = g.op('Add', [dy, rmsNormBackward(g, s.h, sandwich ? io.preFfn : io.ln2, dn2, arch.rmsNormEps)]);

  // h = x + o(attended), or x + ln2(o(attended)) with sandwich norms
  const dAttnOut = sandwich ? rmsNormBackward(g, s.attnOut, io.ln2, dh, arch.rmsNormEps) : dh;
  const dAttended = linearBackward(dAttnOut, s.attended, 'o_proj');
  const dContext = g.op('Transpose', [g.op('Reshape', [g.op('Reshape', [dAttended, batchTokens]), g.int64s([0, 0, numKvHeads, group, D])])], { perm: [0, 2, 3, 1, 4] });
  const v5 = g.op('Unsqueeze', [s.v, g.int64s([2])]);
  const k5 = g.op('Unsqueeze', [s.k, g.int64s([2])]);
  const dProbs = g.op('MatMul', [dContext, g.op('Transpose', [v5], { perm: [0, 1, 2, 4, 3] })]);
  // Groups folded into rows: [B, kv, group*T, T] and [B, kv, group*T, D], so one MatMul sums over the group.
  const foldProbs = (value: string) => g.op('Reshape', [value, g.int64s([0, 0, -1, 0])]);
  const foldHeads = (value: string) => g.op('Reshape', [value, g.int64s([0, 0, -1, D])]);
  const dV = g.op('MatMul', [g.op('Transpose', [foldProbs(s.probs)], { perm: [0, 1, 3, 2] }), foldHeads(dContext)]);
  // softmax backward, then the softcap's (from the capped scores, recomputed from q and k) and the score scale
  const rowDot = g.op('ReduceSum', [g.op('Mul', [dProbs, s.probs]), g.int64s([-1])], { keepdims: 1 });
  const dCapped = g.op('Mul', [s.probs, g.op('Sub', [dProbs, rowDot])]);
  const cap = arch.attnLogitSoftcap;
  const dRaw = cap === null ? dCapped : g.op('Mul', [dCapped, softcapDerivative(g, attentionScores(g, arch, s.q, k5), cap)]);
  const dScores = g.op('Mul', [dRaw, scale]);
  const dQ = g.op('MatMul', [dScores, k5]);
  const dK = g.op('MatMul', [g.op('Transpose', [foldProbs(dScores)], { perm: [0, 1, 3, 2] }), foldHeads(s.q)]);
  const dQRows = toRows(unrope(g.op('Reshape', [g.op('Transpose', [dQ], { perm: [0, 3, 1, 2, 4] }), batchTokens]), numHeads), numHeads * D);
  const dKRows = toRows(unrope(g.op('Reshape', [g.op('Transpose', [dK], { perm: [0, 2, 1, 3] }), batchTokens]), numKvHeads), numKvHeads * D);
  const dVRows = toRows(g.op('Transpose', [dV], { perm: [0, 2, 1, 3] }), numKvHeads * D);
  // qwen3: back through the per-head norms to the projections.
  const unHeadNorm = (dRows: string, proj: string, scale: string, heads: number): string => {
    if (!spec.qkNorm) return dRows;
    const perHead = (value: string) => g.op('Reshape', [value, g.int64s([-1, D])]);
    return g.op('Reshape', [rmsNormBackward(g, perHead(proj), scale, perHead(dRows), arch.rmsNormEps), g.int64s([-1, heads * D])]);
  };
  const dQProj = unHeadNorm(dQRows, s.qProj, io.qNorm, numHeads);
  const dKProj = unHeadNorm(dKRows, s.kProj, io.kNorm, numKvHeads);
  const dn1 = g.op('Add', [g.op('Add', [linearBackward(dQProj, s.n1, 'q_proj'), linearBackward(dKProj, s.n1, 'k_proj')]), linearBackward(dVRows, s.n1, 'v_proj')]);
  const dx = g.op('Add', [dh, rmsNormBackward(g, s.x, io.ln1, dn1, arch.rmsNormEps)]);
  g.output('dx', dx, 'float32', ['rows', H]);
}

function savedDims(arch: Architecture): Record<SavedActivation, (number | string)[]> {
  const { hiddenSize: H, intermediateSize: I, numHeads, numKvHeads, headDim: D } = arch;
  const group = numHeads / numKvHeads;
  return {
    x: ['rows', H],
    n1: ['rows', H],
    q: ['batch', numKvHeads, group, 'tokens', D],
    k: ['batch', numKvHeads, 'tokens', D],
    v: ['batch', numKvHeads, 'tokens', D],
    probs: ['batch', numKvHeads, group, 'tokens', 'tokens'],
    attended: ['rows', numHeads * D],
    attnOut: ['rows', H],
    mlpOut: ['rows', H],
    h: ['rows', H],
    n2: ['rows', H],
    gate: ['rows', I],
    up: ['rows', I],
    act: ['rows', I],
    qProj: ['rows', numHeads * D],
    kProj: ['rows', numKvHeads * D],
  };
}

/**
 * Forward of a training block. Inputs as the inference block graph (x, positions,
 * the block's own cos, sin, mask, ln1, ln2, with sandwich norms pre_ffn_norm and
 * post_ffn_norm, norms as stored, weights float32 [out, in] or 4-bit with `fourBit`,
 * biases) plus the adapters (and dropout masks). Output y [rows, H]; with `save`
 * also `saved_${name}` for each SAVED_ACTIVATIONS except x.
 */
export function buildTrainForwardGraph(spec: TrainBlockSpec, options: { save: boolean; fourBit?: FourBitLayout }): Uint8Array {
  const g = new GraphBuilder(trainGraphKey(options.save ? 'train_forward_saving' : 'train_forward', spec, options.fourBit));
  const io = blockInputs(g, spec, options.fourBit, true);
  const { y, saved } = emitForward(g, spec, io, options.fourBit);
  g.output('y', y, 'float32', ['rows', spec.arch.hiddenSize]);
  if (options.save) {
    const dims = savedDims(spec.arch);
    for (const name of savedActivations(spec)) if (name !== 'x') g.output(savedName(name), saved[name], 'float32', dims[name]);
  }
  return g.encode();
}

/**
 * Backward of a training block, given dy [rows, H] and sin_neg (= -sin of the block's table). With
 * `recompute` the graph takes x and recomputes the forward itself (float32
 * weights); otherwise it takes x and the `saved_${name}` activations. Outputs dx
 * [rows, H] and `${m}_grad_a` [r, in], `${m}_grad_b` [out, r] per adapted module.
 */
export function buildTrainBackwardGraph(spec: TrainBlockSpec, options: { recompute: boolean }): Uint8Array {
  const g = new GraphBuilder(trainGraphKey(options.recompute ? 'train_recompute_backward' : 'train_backward', spec));
  const io = blockInputs(g, spec, undefined, true);
  const dy = g.input('dy', 'float32', ['rows', spec.arch.hiddenSize]);
  const sinNeg = g.input('sin_neg', 'float32', ['tokens', spec.arch.headDim / 2]);
  let saved: Record<SavedActivation, string>;
  if (options.recompute) {
    saved = emitForward(g, spec, io, undefined).saved;
  } else {
    const dims = savedDims(spec.arch);
    saved = Object.fromEntries(savedActivations(spec).map((name) => [name, name === 'x' ? io.x : g.input(savedName(name), 'float32', dims[name])])) as Record<SavedActivation, string>;
  }
  emitBackward(g, spec, io, saved, dy, sinNeg);
  return g.encode();
}
