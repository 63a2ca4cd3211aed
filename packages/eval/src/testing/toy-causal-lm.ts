// A small causal language model in plain TypeScript that honours the forward()
// contract of @layerprune/model (right padding, 'last' / 'all' logits). Its
// next-token distribution depends on every earlier token and on the position
// (a tanh recurrence), so a scorer that mixes up positions, padding or batch rows
// gets different numbers. Padded positions are filled with NaN: reading them
// poisons the result. It also counts forward passes and sequences.
import type { EvalForwardResult, EvalModel } from '../model-interface.js';
import { createRandom } from '@layerprune/data';

export class ToyCausalLm implements EvalModel {
  readonly config: { vocabSize: number; maxPositionEmbeddings: number };
  readonly calls: { sequences: number; mode: string; lengths: number[] }[] = [];
  private readonly dim = 8;
  private readonly embed: Float64Array;
  private readonly recur: Float64Array;
  private readonly head: Float64Array;

  constructor(vocabSize: number, maxPositionEmbeddings: number, seed = 7) {
    this.config = { vocabSize, maxPositionEmbeddings };
    const random = createRandom(seed);
    const fill = (n: number, scale: number) => Float64Array.from({ length: n }, () => (random() * 2 - 1) * scale);
    this.embed = fill(vocabSize * this.dim, 1);
    this.recur = fill(this.dim * this.dim, 0.6);
    this.head = fill(vocabSize * this.dim, 2);
  }

  /** Logits at every position of one unpadded sequence, float64 (for reference code). */
  logitsOf(tokens: readonly number[]): Float64Array[] {
    const d = this.dim;
    let h = new Float64Array(d);
    const rows: Float64Array[] = [];
    tokens.forEach((token, t) => {
      if (t >= this.config.maxPositionEmbeddings) throw new RangeError(`position ${t} >= ${this.config.maxPositionEmbeddings}`);
      const next = new Float64Array(d);
      for (let i = 0; i < d; i += 1) {
        let s = this.embed[token * d + i] + Math.sin(0.37 * t + i);
        for (let j = 0; j < d; j += 1) s += this.recur[i * d + j] * h[j];
        next[i] = Math.tanh(s);
      }
      h = next;
      const row = new Float64Array(this.config.vocabSize);
      for (let v = 0; v < row.length; v += 1) {
        let s = 0;
        for (let i = 0; i < d; i += 1) s += this.head[v * d + i] * h[i];
        row[v] = s;
      }
      rows.push(row);
    });
    return rows;
  }

  async forward(batch: number[][], options: { logits?: 'none' | 'last' | 'all' } = {}): Promise<EvalForwardResult> {
    const mode = options.logits ?? 'last';
    const V = this.config.vocabSize;
    const lengths = batch.map((s) => s.length);
    const maxLength = Math.max(...lengths);
    this.calls.push({ sequences: batch.length, mode, lengths });
    const result: EvalForwardResult = { batch: batch.length, maxLength, lengths, vocabSize: V };
    if (mode === 'none') return result;
    const logits = new Float32Array(mode === 'last' ? batch.length * V : batch.length * maxLength * V).fill(Number.NaN);
    batch.forEach((sequence, b) => {
      const rows = this.logitsOf(sequence);
      if (mode === 'last') logits.set(rows[rows.length - 1], b * V);
      else rows.forEach((row, t) => logits.set(row, (b * maxLength + t) * V));
    });
    result.logits = logits;
    return result;
  }
}

/** log p(target | prefix) from float64 logits, written out plainly for reference checks. */
export function referenceLogProb(row: Float64Array | Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return row[target] - max - Math.log(sum);
}
