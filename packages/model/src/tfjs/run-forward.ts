// A full forward pass over a right-padded batch: embed, run every non-skipped
// block (capturing the residual-stream inputs x(0..L) on request), then final
// norm + lm_head in row chunks so [rows, vocab] never has to fit at once.
import * as tf from '@tensorflow/tfjs';
import type { EngineForwardRequest, EngineForwardResult } from '../engine.js';
import { headRows } from '../engine/target-rows.js';
import { readFloat32 } from './read-tensor.js';
import type { TfjsEngine } from './tfjs-engine.js';

/** Logit values per head chunk: bounds memory at ~32 MB however large rows x vocab is. */
const HEAD_CHUNK_VALUES = 8 * 1024 * 1024;

export async function runForward(engine: TfjsEngine, request: EngineForwardRequest): Promise<EngineForwardResult> {
  const arch = engine.architecture;
  const { ids, batch, maxLength, lengths } = request.tokens;
  const result: EngineForwardResult = {};
  const lastRows = tf.tensor1d(Int32Array.from(lengths, (len, b) => b * maxLength + len - 1), 'int32');
  const ctx = engine.createContext({ batch, queryLength: maxLength });
  let x = engine.embed(ids);
  const hidden: Float32Array[] = [];
  const capture = (): void => {
    if (request.hidden === 'all') hidden.push(readFloat32(x));
    else if (request.hidden === 'last') hidden.push(tf.tidy(() => readFloat32(tf.gather(x, lastRows))));
  };
  const layers = Array.from({ length: arch.numLayers }, (_, l) => l).filter((l) => !request.skipLayers.has(l));
  const blocks = engine.blocks(layers);
  try {
    for (let layer = 0; layer < arch.numLayers; layer++) {
      capture();
      if (request.skipLayers.has(layer)) continue;
      const next = await blocks.next();
      if (next.done) throw new Error(`internal: block stream ended before layer ${layer}`);
      const input = x;
      x = tf.tidy(() => engine.runBlock(next.value, input, ctx));
      input.dispose();
    }
    capture();
    // Streaming: release the last block before the head is materialised.
    await blocks.return();
    if (request.hidden !== 'none') result.hidden = hidden;
    if (request.logits !== 'none' || request.targetLogProbs) await runHead(engine, request, x, lastRows, result);
    return result;
  } finally {
    await blocks.return();
    x.dispose();
    ctx.dispose();
    lastRows.dispose();
  }
}

async function runHead(engine: TfjsEngine, request: EngineForwardRequest, x: tf.Tensor2D, lastRows: tf.Tensor1D, result: EngineForwardResult): Promise<void> {
  const { vocabSize } = engine.architecture;
  const { ids, batch, maxLength, lengths } = request.tokens;
  const head = await engine.acquireHead();
  try {
    if (request.logits === 'last') result.logits = tf.tidy(() => readFloat32(engine.logits(tf.gather(x, lastRows), head)));
    const all = request.logits === 'all';
    if (!all && !request.targetLogProbs) return;
    // Logits for every row when all are asked for, otherwise only rows that have a target.
    const { rows, rowTarget } = headRows(ids, maxLength, lengths, all);
    const logits = all ? new Float32Array(batch * maxLength * vocabSize) : null;
    const logProbByRow = new Float32Array(batch * maxLength);
    const chunk = Math.max(1, Math.floor(HEAD_CHUNK_VALUES / vocabSize));
    for (let start = 0; start < rows.length; start += chunk) {
      const chunkRows = rows.subarray(start, Math.min(rows.length, start + chunk));
      tf.tidy(() => {
        const chunkLogits = engine.logits(tf.gather(x, tf.tensor1d(chunkRows, 'int32')), head);
        if (logits) logits.set(readFloat32(chunkLogits), start * vocabSize);
        if (request.targetLogProbs) {
          // Rows without a target pick index 0 and are ignored below.
          const flat = Int32Array.from(chunkRows, (row, i) => i * vocabSize + Math.max(0, rowTarget[row]));
          const picked = tf.gather(tf.reshape(chunkLogits, [-1]), tf.tensor1d(flat, 'int32'));
          const values = readFloat32(tf.sub(picked, tf.logSumExp(chunkLogits, 1)));
          chunkRows.forEach((row, i) => (logProbByRow[row] = values[i]));
        }
      });
    }
    if (logits) result.logits = logits;
    if (request.targetLogProbs) {
      result.targetLogProbs = lengths.map((len, b) => logProbByRow.slice(b * maxLength, b * maxLength + len - 1));
    }
  } finally {
    head.release();
  }
}
