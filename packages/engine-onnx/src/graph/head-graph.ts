// Final RMSNorm + lm_head, and what callers want from the logits computed
// inside the graph, because copying [rows, vocab] floats out of a session costs
// about 1 ms per MB: `logits` is fetched only when asked for; `log_prob` is
// log softmax(logits)[target] per row (LogSoftmax then a gather: onnxruntime's
// LogSoftmax is one vectorised pass, its ReduceLogSumExp a generic reduction
// about 3x slower over [rows, vocab]).
import type { Architecture } from '@layerprune/model';
import { normScale, softcap } from './shared-ops.js';
import { GraphBuilder } from './graph-builder.js';

export type HeadGraphKind = 'logits' | 'log_prob';

/**
 * Inputs: x [rows, H], norm [H], lm_head [V, H] (Hugging Face layout); 'log_prob' also
 * targets int64 [rows]. Outputs: logits [rows, V]; 'log_prob' also log_prob [rows]
 * (fetch logits from it only when they are wanted too: unrequested outputs are not copied).
 */
/**
 * Inputs x [rows, H], norm [H] (as stored), lm_head [V, H] and the logits [rows, V] of the final norm
 * and head: the model's own logits, Gemma's (1 + w) norm scale and Gemma 2's final softcap included
 * (training's head-loss backward differentiates both).
 */
export function emitHeadLogits(g: GraphBuilder, arch: Architecture): { x: string; norm: string; lmHead: string; logits: string } {
  const { hiddenSize: H, vocabSize: V } = arch;
  const x = g.input('x', 'float32', ['rows', H]);
  const norm = g.input('norm', 'float32', [H]);
  const lmHead = g.input('lm_head', 'float32', [V, H]);
  const scale = normScale(g, norm, arch.normWeightOffset);
  const normed = g.op('RMSNormalization', [x, scale], { axis: -1, epsilon: { float: arch.rmsNormEps } });
  const logits = g.op('Gemm', [normed, lmHead], { transB: 1 });
  const cap = arch.finalLogitSoftcap;
  return { x, norm, lmHead, logits: cap === null ? logits : softcap(g, logits, cap) };
}

/** Input targets int64 [rows] and, per row, log softmax(logits)[target] as [rows, 1]. */
export function emitTargetLogProb(g: GraphBuilder, logits: string): { targets: string; logProb: string } {
  const targets = g.input('targets', 'int64', ['rows']);
  const logSoftmax = g.op('LogSoftmax', [logits], { axis: -1 });
  return { targets, logProb: g.op('GatherElements', [logSoftmax, g.op('Unsqueeze', [targets, g.int64s([1])])], { axis: 1 }) };
}

export function buildHeadGraph(arch: Architecture, kind: HeadGraphKind): Uint8Array {
  const g = new GraphBuilder(`head_${kind}`);
  const { logits } = emitHeadLogits(g, arch);
  g.output('logits', logits, 'float32', ['rows', arch.vocabSize]);
  if (kind === 'logits') return g.encode();
  const { logProb } = emitTargetLogProb(g, logits);
  g.output('log_prob', g.op('Reshape', [logProb, g.int64s([-1])]), 'float32', ['rows']);
  return g.encode();
}
