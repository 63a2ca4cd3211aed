// Byte-pair merging of one word in O(n log n): the symbols form a linked list
// over typed arrays and a binary min-heap holds candidate merges keyed by
// (merge rank, position of the left symbol). Entries are invalidated lazily: a
// popped entry is applied only if its left symbol is alive and the pair at that
// position still has the popped rank. This is the order of Rust tokenizers'
// Word::merge_all and of the library's heap (score = rank + position / length),
// so the result is the same piece for piece.

import type { BpeMergeTable } from './bpe-merge-table.js';

/** Heap keys pack rank * 2^32 + position into one float64 (exact below 2^53). */
const POSITION_SCALE = 2 ** 32;
/** Largest rank the packing allows. */
export const MAX_BPE_RANK = 2 ** 20;
const DEAD = -2;

export class BpeWordMerger {
  /** Symbol ids of the word; negative ids are characters outside the vocabulary, which never merge. */
  symbols = new Int32Array(256);
  private prev = new Int32Array(256);
  private next = new Int32Array(256);
  private heap = new Float64Array(768);
  private heapSize = 0;

  constructor(private readonly table: BpeMergeTable) {}

  /** Makes room for a word of `n` symbols, keeping `symbols[0..n)` as written so far. */
  reserve(n: number): void {
    if (n <= this.symbols.length) return;
    let capacity = this.symbols.length;
    while (capacity < n) capacity *= 2;
    const symbols = new Int32Array(capacity);
    symbols.set(this.symbols);
    this.symbols = symbols;
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.heap = new Float64Array(capacity * 3);
  }

  /**
   * Applies every merge to `symbols[0..n)` and compacts the merged ids into
   * `symbols[0..count)`; returns `count`.
   */
  merge(n: number): number {
    if (n < 2) return n;
    this.reserve(n);
    const { symbols, prev, next, table } = this;
    const { ranks, results } = table;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1;
    }
    next[n - 1] = -1;
    this.heapSize = 0;
    for (let i = 0; i + 1 < n; i++) this.pushCandidate(i);

    while (this.heapSize > 0) {
      const key = this.popMin();
      const rank = Math.floor(key / POSITION_SCALE);
      const pos = key - rank * POSITION_SCALE;
      if (prev[pos] === DEAD) continue;
      const right = next[pos];
      if (right < 0) continue;
      const left = symbols[pos];
      const rightId = symbols[right];
      if (left < 0 || rightId < 0) continue;
      const slot = table.find(left, rightId);
      if (slot < 0 || ranks[slot] !== rank) continue; // stale: the pair here changed since the push
      symbols[pos] = results[slot];
      const after = next[right];
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      prev[right] = DEAD;
      if (prev[pos] >= 0) this.pushCandidate(prev[pos]);
      if (after >= 0) this.pushCandidate(pos);
    }

    // Position 0 is never merged away (merges keep the left position), so the list starts there.
    let count = 0;
    for (let i = 0; i >= 0; i = next[i]) symbols[count++] = symbols[i];
    return count;
  }

  private pushCandidate(pos: number): void {
    const left = this.symbols[pos];
    const right = this.symbols[this.next[pos]];
    if (left < 0 || right < 0) return;
    const slot = this.table.find(left, right);
    if (slot < 0) return;
    const key = this.table.ranks[slot] * POSITION_SCALE + pos;
    const heap = this.heap;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= key) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = key;
  }

  private popMin(): number {
    const heap = this.heap;
    const top = heap[0];
    const size = --this.heapSize;
    if (size === 0) return top;
    const last = heap[size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1] < heap[child]) child++;
      if (heap[child] >= last) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
