// The data model of a block removal: what the user asked for (a RemovalSpec,
// plain JSON in the spirit of mergekit's `slices`) and what it resolves to for a
// given layer count (a RemovalPlan). Ranges are half-open [start, end) and layers
// are 0-based, everywhere.

/** A half-open range of block indices [start, end). */
export type BlockRange = [start: number, end: number];

/** What to remove, before it is checked against a model. */
export type RemovalSpec =
  /** Drop one contiguous block of layers [start, end): the paper's operation. */
  | { kind: 'drop-block'; start: number; end: number }
  /** Drop any set of non-overlapping blocks. */
  | { kind: 'drop-blocks'; blocks: BlockRange[] }
  /** Drop individual layers by index. */
  | { kind: 'drop-layers'; layers: number[] }
  /** Keep these increasing, non-overlapping slices and drop the rest (mergekit `layer_range` style). */
  | { kind: 'keep-slices'; slices: BlockRange[] }
  /** The paper's simple rule: drop the deepest n blocks but keep the final one, [L-n-1, L-1). */
  | { kind: 'drop-deepest'; n: number }
  /**
   * The optimal block of size n found by a similarity analysis (analysis.json).
   * `analysis` is the parsed JSON; `file` is only used in messages and provenance.
   */
  | { kind: 'from-analysis'; analysis: unknown; n: number; file?: string };

/** A RemovalSpec resolved against a model with `numLayersBefore` blocks. */
export interface RemovalPlan {
  /** The request, as recorded in provenance (an analysis is reduced to its file, n and chosen block). */
  spec: RecordedSpec;
  numLayersBefore: number;
  numLayersAfter: number;
  /** Old indices of the kept blocks, increasing; kept[newIndex] = oldIndex. */
  kept: number[];
  /** Old indices of the removed blocks, increasing. */
  removed: number[];
  /** The removed blocks as maximal contiguous half-open ranges. */
  removedBlocks: BlockRange[];
  /** oldToNew[old] = new index, or null when the block is removed. */
  oldToNew: Array<number | null>;
  /** Non-fatal remarks (e.g. the final block is removed under allowFinalBlock). */
  warnings: string[];
}

/** The spec as it is written into layerprune.json. */
export type RecordedSpec =
  | Exclude<RemovalSpec, { kind: 'from-analysis' }>
  | { kind: 'from-analysis'; n: number; file: string | null; start: number; end: number; distance: number | null };

export interface ResolvePlanOptions {
  /** Allow removing the last block (L-1). The paper finds it is never a good choice; off by default. */
  allowFinalBlock?: boolean;
}
