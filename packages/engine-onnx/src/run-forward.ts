// A full forward pass on the ONNX engine over a right-padded batch: embed in JS,
// run every non-skipped block through the shared block session (capturing the
// residual-stream inputs x(0..L) on request), then the head in row chunks.
// Log-probabilities of the next tokens are computed inside the head graph, so
// [rows, vocab] logits are copied out only when the caller asks for them.
import type * as Ort from 'onnxruntime-node';
import { headRows } from '@layerprune/model';
import type { EngineForwardRequest, EngineForwardResult } from '@layerprune/model';
import { createCallContext } from './call-context.js';
import type { CallContext } from './call-context.js';
import type { BlockInput } from './onnx-engine.js';
import type { OnnxEngine } from './onnx-engine.js';

/** Logit values per head chunk: bounds the [rows, vocab] buffer at ~64 MB however large the batch is. */
export const HEAD_CHUNK_VALUES = 16 * 1024 * 1024;

function gatherRows(source: Float32Array, width: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(source.subarray(rows[i] * width, rows[i] * width + width), i * width);
  return out;
}

/**
 * Runs block `layer` on x [rows, hidden]; returns its output and, with a KV cache (`past`), the
 * present keys/values. `into`: a buffer of x's size (not x) to write the output into.
 */
export interface RunBlockOptions {
  past?: { key: Ort.Tensor; value: Ort.Tensor };
  into?: Float32Array;
  /** The block's inputs when already requested (prefetch); otherwise read now. */
  weights?: Promise<BlockInput>;
}

export async function runBlock(engine: OnnxEngine, layer: number, x: Float32Array, ctx: CallContext, options: RunBlockOptions = {}): Promise<Record<string, Ort.Tensor>> {
  const { past, into } = options;
  const H = engine.architecture.hiddenSize;
  const weights = await (options.weights ?? engine.blockFeeds(layer));
  const session = engine.blockSession(past !== undefined, weights.fourBit);
  const feeds: Record<string, Ort.Tensor> = {
    ...weights.feeds,
    x: new engine.ort.Tensor('float32', x, [x.length / H, H]),
    positions: ctx.positions,
    ...ctx.rope(layer),
    mask: ctx.mask(layer),
  };
  if (past) return engine.run(session, { ...feeds, past_key: past.key, past_value: past.value }, ['y', 'present_key', 'present_value']);
  if (into) return engine.run(session, feeds, { y: new engine.ort.Tensor('float32', into, [x.length / H, H]) });
  return engine.run(session, feeds, ['y']);
}

/**
 * Block feeds in layer order. Streaming from a provider whose arrays are the caller's: the next
 * block's read starts when this block's is handed out, so disk reads and float conversion overlap
 * this block's compute (onnxruntime runs off the JS thread); two blocks are in memory at a time.
 */
export function prefetchingBlocks(engine: OnnxEngine, skip: ReadonlySet<number>): { next(layer: number): Promise<BlockInput> } {
  const layers = Array.from({ length: engine.architecture.numLayers }, (_, l) => l).filter((l) => !skip.has(l));
  const prefetch = engine.mode === 'streaming' && !engine.provider.reusesArrays;
  let pending: { layer: number; feeds: Promise<BlockInput> } | null = null;
  const request = (layer: number) => {
    const feeds = engine.blockFeeds(layer);
    feeds.catch(() => undefined); // handled where awaited; no unhandled rejection if the pass stops first
    return { layer, feeds };
  };
  return {
    next(layer) {
      const current = pending?.layer === layer ? pending.feeds : engine.blockFeeds(layer);
      const following = layers[layers.indexOf(layer) + 1];
      pending = prefetch && following !== undefined ? request(following) : null;
      return current;
    },
  };
}

export async function runForward(engine: OnnxEngine, request: EngineForwardRequest): Promise<EngineForwardResult> {
  const arch = engine.architecture;
  const H = arch.hiddenSize;
  const { ids, batch, maxLength, lengths } = request.tokens;
  const lastRows = Int32Array.from(lengths, (len, b) => b * maxLength + len - 1);
  const ctx = createCallContext(engine.ort, arch, { batch, tokens: maxLength, past: 0 });
  let x: Float32Array = engine.embed(ids);
  const hidden: Float32Array[] = [];
  const keepAll = request.hidden === 'all';
  const capture = (): void => {
    // With every hidden state kept, each block writes a fresh array and x itself is kept.
    if (keepAll) hidden.push(x);
    else if (request.hidden === 'last') hidden.push(gatherRows(x, H, lastRows));
  };
  // Otherwise two buffers take turns as input and output: fresh memory costs more to touch than to reuse.
  let spare: Float32Array | null = keepAll ? null : new Float32Array(x.length);
  const blocks = prefetchingBlocks(engine, request.skipLayers);
  for (let layer = 0; layer < arch.numLayers; layer++) {
    capture();
    if (request.skipLayers.has(layer)) continue;
    const weights = blocks.next(layer);
    if (spare) {
      await runBlock(engine, layer, x, ctx, { into: spare, weights });
      [x, spare] = [spare, x];
    } else {
      x = (await runBlock(engine, layer, x, ctx, { weights })).y.data as Float32Array;
    }
  }
  capture();
  const result: EngineForwardResult = {};
  if (request.hidden !== 'none') result.hidden = hidden;
  if (request.logits !== 'none' || request.targetLogProbs) await runHead(engine, request, x, lastRows, result);
  return result;
}

async function runHead(engine: OnnxEngine, request: EngineForwardRequest, x: Float32Array, lastRows: Int32Array, result: EngineForwardResult): Promise<void> {
  const { hiddenSize: H, vocabSize: V } = engine.architecture;
  const { ids, batch, maxLength, lengths } = request.tokens;
  const head = await engine.headFeeds();
  const tensor = (data: Float32Array, rows: number) => new engine.ort.Tensor('float32', data, [rows, H]);
  if (request.logits === 'last') {
    const out = await engine.run(engine.headSession('logits'), { ...head, x: tensor(gatherRows(x, H, lastRows), batch) }, ['logits']);
    result.logits = out.logits.data as Float32Array;
  }
  const all = request.logits === 'all';
  if (!all && !request.targetLogProbs) return;
  // Every row when all logits are wanted, otherwise only rows that have a next token.
  const { rows, rowTarget } = headRows(ids, maxLength, lengths, all);
  const logits = all ? new Float32Array(batch * maxLength * V) : null;
  const logProbByRow = new Float32Array(batch * maxLength);
  const logitRows = (start: number, count: number): Ort.Tensor => new engine.ort.Tensor('float32', logits!.subarray(start * V, (start + count) * V), [count, V]);
  const chunk = Math.max(1, Math.floor(HEAD_CHUNK_VALUES / V));
  for (let start = 0; start < rows.length; start += chunk) {
    const chunkRows = rows.subarray(start, Math.min(rows.length, start + chunk));
    // Contiguous row ranges (all logits) are views; target rows skip each sequence's last token.
    const input = all ? x.subarray(chunkRows[0] * H, (chunkRows[0] + chunkRows.length) * H) : gatherRows(x, H, chunkRows);
    const feeds = { ...head, x: tensor(input, chunkRows.length) };
    if (request.targetLogProbs) {
      // Rows without a target score index 0 and are ignored below.
      const chunkTargets = BigInt64Array.from(chunkRows, (row) => BigInt(Math.max(0, rowTarget[row])));
      const targetsFeed = new engine.ort.Tensor('int64', chunkTargets, [chunkRows.length]);
      // Logits, when wanted, are written straight into their place in the result.
      const fetches = logits ? { logits: logitRows(start, chunkRows.length), log_prob: null } : ['log_prob'];
      const out = await engine.run(engine.headSession('log_prob'), { ...feeds, targets: targetsFeed }, fetches);
      const values = out.log_prob.data as Float32Array;
      chunkRows.forEach((row, i) => (logProbByRow[row] = values[i]));
    } else if (logits) {
      await engine.run(engine.headSession('logits'), feeds, { logits: logitRows(start, chunkRows.length) });
    }
  }
  if (logits) result.logits = logits;
  if (request.targetLogProbs) result.targetLogProbs = lengths.map((len, b) => logProbByRow.slice(b * maxLength, b * maxLength + len - 1));
}
