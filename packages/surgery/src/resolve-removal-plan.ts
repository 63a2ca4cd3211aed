// Turns a RemovalSpec into the exact list of kept blocks and the old->new index
// mapping for a model with L blocks, refusing anything ambiguous before a
// single byte is written. Specs may come from JSON files, so every field is
// checked at run time, not only by the type system.
import { SurgeryError } from './errors.js';
import { optimalBlockFromAnalysis } from './optimal-block-from-analysis.js';
import type { BlockRange, RecordedSpec, RemovalPlan, RemovalSpec, ResolvePlanOptions } from './removal-plan.js';

function checkIndex(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new SurgeryError('PLAN_INVALID', `removal plan: ${field} must be a non-negative integer, got ${shown}`, {
      field,
    });
  }
  return value;
}

/** A checked, non-empty, in-bounds half-open range. */
function checkRange(range: unknown, numLayers: number, field: string): BlockRange {
  if (!Array.isArray(range) || range.length !== 2) {
    throw new SurgeryError('PLAN_INVALID', `removal plan: ${field} must be a [start, end) pair, got ${JSON.stringify(range)}`, {
      field,
    });
  }
  const start = checkIndex(range[0], `${field}[0]`);
  const end = checkIndex(range[1], `${field}[1]`);
  if (end <= start) {
    throw new SurgeryError('PLAN_EMPTY_RANGE', `removal plan: ${field} = [${start}, ${end}) is empty (end must be > start)`, {
      field,
    });
  }
  if (end > numLayers) {
    throw new SurgeryError(
      'PLAN_OUT_OF_BOUNDS',
      `removal plan: ${field} = [${start}, ${end}) is out of bounds for a model with ${numLayers} layers (end <= ${numLayers})`,
      { field, limit: numLayers },
    );
  }
  return [start, end];
}

function checkList(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SurgeryError('PLAN_INVALID', `removal plan: ${field} must be a non-empty array`, { field });
  }
  return value;
}

/** Removed layer indices for each spec kind (not yet checked for "all" or "final"). */
function removedLayers(spec: RemovalSpec, numLayers: number): { removed: Set<number>; recorded: RecordedSpec } {
  const removed = new Set<number>();
  const addRange = ([start, end]: BlockRange): void => {
    for (let l = start; l < end; l++) removed.add(l);
  };
  switch (spec.kind) {
    case 'drop-block': {
      const range = checkRange([spec.start, spec.end], numLayers, 'drop-block');
      addRange(range);
      return { removed, recorded: { kind: 'drop-block', start: range[0], end: range[1] } };
    }
    case 'drop-blocks': {
      const ranges = checkList(spec.blocks, 'drop-blocks').map((r, i) => checkRange(r, numLayers, `drop-blocks[${i}]`));
      const sorted = ranges.map((r, i) => ({ r, i })).sort((a, b) => a.r[0] - b.r[0]);
      for (let k = 1; k < sorted.length; k++) {
        const prev = sorted[k - 1];
        const cur = sorted[k];
        if (cur.r[0] < prev.r[1]) {
          throw new SurgeryError(
            'PLAN_OVERLAP',
            `removal plan: drop-blocks[${prev.i}] = [${prev.r[0]}, ${prev.r[1]}) overlaps drop-blocks[${cur.i}] = [${cur.r[0]}, ${cur.r[1]})`,
            { field: `drop-blocks[${cur.i}]` },
          );
        }
      }
      ranges.forEach(addRange);
      return { removed, recorded: { kind: 'drop-blocks', blocks: ranges } };
    }
    case 'drop-layers': {
      const layers = checkList(spec.layers, 'drop-layers').map((l, i) => checkIndex(l, `drop-layers[${i}]`));
      layers.forEach((layer, i) => {
        if (layer >= numLayers) {
          throw new SurgeryError(
            'PLAN_OUT_OF_BOUNDS',
            `removal plan: drop-layers[${i}] = ${layer} is out of bounds for a model with ${numLayers} layers (max ${numLayers - 1})`,
            { field: `drop-layers[${i}]`, layer, limit: numLayers },
          );
        }
        if (removed.has(layer)) {
          throw new SurgeryError('PLAN_DUPLICATE_LAYER', `removal plan: layer ${layer} is listed twice in drop-layers`, {
            field: `drop-layers[${i}]`,
            layer,
          });
        }
        removed.add(layer);
      });
      return { removed, recorded: { kind: 'drop-layers', layers } };
    }
    case 'keep-slices': {
      const slices = checkList(spec.slices, 'keep-slices').map((r, i) => checkRange(r, numLayers, `keep-slices[${i}]`));
      for (let i = 1; i < slices.length; i++) {
        const [prevStart, prevEnd] = slices[i - 1];
        const [start, end] = slices[i];
        if (start < prevEnd) {
          // Overlap would duplicate blocks and a decreasing order would reorder
          // them: both are mergekit features that pruning must not do silently.
          const code = start >= prevStart ? 'PLAN_OVERLAP' : 'PLAN_INVALID';
          const why = code === 'PLAN_OVERLAP' ? 'overlaps' : 'comes before (slices must be increasing; blocks are never reordered)';
          throw new SurgeryError(
            code,
            `removal plan: keep-slices[${i}] = [${start}, ${end}) ${why} keep-slices[${i - 1}] = [${prevStart}, ${prevEnd})`,
            { field: `keep-slices[${i}]` },
          );
        }
      }
      const kept = new Set<number>();
      for (const [start, end] of slices) for (let l = start; l < end; l++) kept.add(l);
      for (let l = 0; l < numLayers; l++) if (!kept.has(l)) removed.add(l);
      return { removed, recorded: { kind: 'keep-slices', slices } };
    }
    case 'drop-deepest': {
      const n = checkIndex(spec.n, 'drop-deepest.n');
      if (n === 0 || n > numLayers - 1) {
        throw new SurgeryError(
          n === 0 ? 'PLAN_EMPTY_RANGE' : 'PLAN_OUT_OF_BOUNDS',
          `removal plan: drop-deepest n=${n} must be between 1 and ${numLayers - 1} for a model with ${numLayers} layers (the final block is kept)`,
          { field: 'drop-deepest.n', limit: numLayers - 1 },
        );
      }
      addRange([numLayers - n - 1, numLayers - 1]);
      return { removed, recorded: { kind: 'drop-deepest', n } };
    }
    case 'from-analysis': {
      const file = spec.file ?? null;
      const n = checkIndex(spec.n, 'from-analysis.n');
      const block = optimalBlockFromAnalysis(spec.analysis, n, file ?? 'analysis.json');
      if (block.numLayers !== null && block.numLayers !== numLayers) {
        throw new SurgeryError(
          'ANALYSIS_MISMATCH',
          `${file ?? 'analysis.json'}: the analysis was run on a model with ${block.numLayers} layers, this model has ${numLayers}`,
          { file: file ?? undefined, field: 'numLayers', limit: numLayers },
        );
      }
      addRange(checkRange([block.start, block.end], numLayers, `from-analysis optimal.${n}`));
      return {
        removed,
        recorded: { kind: 'from-analysis', n, file, start: block.start, end: block.end, distance: block.distance },
      };
    }
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new SurgeryError('PLAN_INVALID', `removal plan: unknown kind ${JSON.stringify(kind)}`, { field: 'kind' });
    }
  }
}

/** Maximal runs of consecutive indices, as half-open ranges. */
function toRanges(sorted: number[]): BlockRange[] {
  const ranges: BlockRange[] = [];
  for (const l of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === l) last[1] = l + 1;
    else ranges.push([l, l + 1]);
  }
  return ranges;
}

/** Resolve a spec against a model with `numLayers` blocks; throws SurgeryError on anything unsafe. */
export function resolveRemovalPlan(spec: RemovalSpec, numLayers: number, options: ResolvePlanOptions = {}): RemovalPlan {
  if (!Number.isInteger(numLayers) || numLayers < 1) {
    throw new SurgeryError('PLAN_INVALID', `removal plan: the model must have at least 1 layer, got ${numLayers}`, {
      field: 'num_hidden_layers',
    });
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new SurgeryError('PLAN_INVALID', `removal plan: expected an object with a "kind", got ${JSON.stringify(spec)}`);
  }
  const { removed, recorded } = removedLayers(spec, numLayers);
  if (removed.size === 0) {
    throw new SurgeryError('PLAN_REMOVES_NOTHING', `removal plan: ${spec.kind} keeps all ${numLayers} layers; nothing to remove`, {
      limit: numLayers,
    });
  }
  if (removed.size === numLayers) {
    throw new SurgeryError('PLAN_REMOVES_ALL', `removal plan: ${spec.kind} would remove all ${numLayers} layers; at least one must stay`, {
      limit: numLayers,
    });
  }
  const warnings: string[] = [];
  const finalLayer = numLayers - 1;
  if (removed.has(finalLayer)) {
    if (!options.allowFinalBlock) {
      throw new SurgeryError(
        'FINAL_BLOCK_REQUIRES_FLAG',
        `removal plan: ${spec.kind} removes the final block (layer ${finalLayer}); blocks that include the final layer are nearly maximally distant (Gromov et al. 2024). Pass allowFinalBlock (--allow-final-block) to do it anyway`,
        { layer: finalLayer },
      );
    }
    warnings.push(
      `the final block (layer ${finalLayer}) is removed; the paper finds this costs far more than removing deeper-but-not-final blocks`,
    );
  }
  const kept: number[] = [];
  const oldToNew: Array<number | null> = [];
  for (let l = 0; l < numLayers; l++) {
    if (removed.has(l)) oldToNew.push(null);
    else {
      oldToNew.push(kept.length);
      kept.push(l);
    }
  }
  const removedSorted = [...removed].sort((a, b) => a - b);
  return {
    spec: recorded,
    numLayersBefore: numLayers,
    numLayersAfter: kept.length,
    kept,
    removed: removedSorted,
    removedBlocks: toRanges(removedSorted),
    oldToNew,
    warnings,
  };
}
