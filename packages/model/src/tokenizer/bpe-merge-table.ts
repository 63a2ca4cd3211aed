// The merge rules of a BPE model as an open-addressing hash table over typed
// arrays: (left id, right id) -> (rank, merged id). The library keys a Map by
// JSON.stringify([left, right]) for every candidate pair, which is most of its
// encoding time; here a lookup is two multiplications and, usually, one probe.

const EMPTY = -1;

export class BpeMergeTable {
  private readonly mask: number;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  /** rank of the merge in slot s (lower merges first). */
  readonly ranks: Int32Array;
  /** id of the merged piece in slot s. */
  readonly results: Int32Array;
  private count = 0;

  constructor(capacityHint: number) {
    let capacity = 16;
    while (capacity < capacityHint * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.lefts = new Int32Array(capacity).fill(EMPTY);
    this.rights = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.results = new Int32Array(capacity);
  }

  /** Number of distinct pairs stored. */
  get size(): number {
    return this.count;
  }

  private slotOf(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  /**
   * Stores a merge; a pair seen before gets the new rank, as a later entry of
   * the library's rank Map overrides an earlier one.
   */
  set(left: number, right: number, rank: number, result: number): void {
    let slot = this.slotOf(left, right);
    while (this.lefts[slot] !== EMPTY && !(this.lefts[slot] === left && this.rights[slot] === right)) slot = (slot + 1) & this.mask;
    if (this.lefts[slot] === EMPTY) {
      if ((this.count + 1) * 2 > this.mask + 1) throw new RangeError(`BpeMergeTable: more than ${(this.mask + 1) / 2} merges for the capacity hint`);
      this.count++;
    }
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.ranks[slot] = rank;
    this.results[slot] = result;
  }

  /** Slot of the merge (left, right), or -1 when the pair does not merge. */
  find(left: number, right: number): number {
    let slot = this.slotOf(left, right);
    for (;;) {
      const stored = this.lefts[slot];
      if (stored === EMPTY) return -1;
      if (stored === left && this.rights[slot] === right) return slot;
      slot = (slot + 1) & this.mask;
    }
  }
}
