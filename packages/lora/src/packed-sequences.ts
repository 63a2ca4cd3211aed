// Training data as fixed-length token sequences in one Int32Array (compact:
// 4 bytes per token instead of a JS number array's 8+), and the seeded order
// in which they are visited: one permutation per epoch, derived from the seed
// and the epoch number only, so a position in the stream (the number of
// sequences consumed) is all a checkpoint needs to resume the same order.
import { LoraError } from './lora-error.js';
import { SeededRng } from '@layerprune/data';

export class PackedSequences {
  readonly seqLen: number;
  readonly count: number;
  readonly tokens: Int32Array;

  constructor(tokens: Int32Array, seqLen: number) {
    if (!Number.isInteger(seqLen) || seqLen < 2) {
      throw new LoraError('CONFIG_INVALID', `sequence length must be an integer >= 2, got ${seqLen}`, { field: 'seq_len', limit: 2 });
    }
    this.seqLen = seqLen;
    this.count = Math.floor(tokens.length / seqLen);
    this.tokens = tokens.subarray(0, this.count * seqLen);
  }

  /** Packs sequences of exactly `seqLen` tokens (e.g. @layerprune/data packSequences output). */
  static fromSequences(sequences: readonly (readonly number[])[], seqLen: number): PackedSequences {
    const tokens = new Int32Array(sequences.length * seqLen);
    sequences.forEach((s, i) => {
      if (s.length !== seqLen) {
        throw new LoraError('DATA_TOO_SHORT', `packed sequence ${i} has ${s.length} tokens, expected ${seqLen}`, { limit: seqLen });
      }
      tokens.set(s, i * seqLen);
    });
    return new PackedSequences(tokens, seqLen);
  }

  sequence(i: number): number[] {
    return Array.from(this.tokens.subarray(i * this.seqLen, (i + 1) * this.seqLen));
  }
}

/** The seeded visiting order: position -> sequence index. */
export class SequenceOrder {
  private epoch = -1;
  private perm: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly count: number,
    private readonly seed: number,
  ) {}

  indexAt(position: number): number {
    const epoch = Math.floor(position / this.count);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.perm = new SeededRng((this.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).permutation(this.count);
    }
    return this.perm[position % this.count];
  }
}
