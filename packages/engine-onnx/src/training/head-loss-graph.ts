// Final RMSNorm + lm_head + next-token cross-entropy, and its backward, as one
// graph: the [rows, vocab] logits and probabilities live only inside the
// session; what comes out is the loss and dL/dx [rows, H].
//   loss = -sum_rows weights * log softmax(logits)[target]
//   dlogits = (softmax(logits) - onehot(target)) * grad_weights
// (grad_weights = weights * the caller's loss scale, so accumulation scales
// the gradient and not the reported loss.) Gemma: the final norm scales by
// (offset + w), and Gemma 2's logits are softcapped (s = c tanh(raw / c)): the
// backward goes through both.
import type { Architecture } from '@layerprune/model';
import { GraphBuilder } from '../graph/graph-builder.js';
import { emitHeadLogits, emitTargetLogProb } from '../graph/head-graph.js';
import { normScale } from '../graph/shared-ops.js';
import { rmsNormBackward, softcapDerivative } from './graph-math.js';

/**
 * Inputs: x [rows, H], norm [H], lm_head [V, H], targets int64 [rows], weights [rows];
 * with `gradient` also grad_weights [rows]. Outputs: loss (scalar); with `gradient` dx [rows, H].
 */
export function buildHeadLossGraph(arch: Architecture, options: { gradient: boolean }): Uint8Array {
  const H = arch.hiddenSize;
  const g = new GraphBuilder(options.gradient ? 'head_loss_backward' : 'head_loss');
  const { x, norm, lmHead, logits } = emitHeadLogits(g, arch);
  const { targets, logProb } = emitTargetLogProb(g, logits);
  const weights = g.input('weights', 'float32', ['rows']);
  const weighted = g.op('Mul', [g.op('Reshape', [logProb, g.int64s([-1])]), weights]);
  g.output('loss', g.op('Neg', [g.op('ReduceSum', [weighted, g.int64s([0])], { keepdims: 0 })]), 'float32', []);
  if (!options.gradient) return g.encode();
  const gradWeights = g.input('grad_weights', 'float32', ['rows']);
  // softmax * w, then -w added at each row's target (no [rows, vocab] one-hot is made)
  const column = (value: string) => g.op('Unsqueeze', [value, g.int64s([1])]);
  const scaled = g.op('Mul', [g.op('Softmax', [logits], { axis: -1 }), column(gradWeights)]);
  const dLogits = g.op('ScatterElements', [scaled, column(targets), g.op('Neg', [column(gradWeights)])], { axis: 1, reduction: 'add' });
  const cap = arch.finalLogitSoftcap;
  const dRaw = cap === null ? dLogits : g.op('Mul', [dLogits, softcapDerivative(g, logits, cap)]);
  const dNormed = g.op('MatMul', [dRaw, lmHead]);
  g.output('dx', rmsNormBackward(g, x, normScale(g, norm, arch.normWeightOffset), dNormed, arch.rmsNormEps), 'float32', ['rows', H]);
  return g.encode();
}
