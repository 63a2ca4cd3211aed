// `layerprune prune`: remove transformer blocks and write a smaller model.
// Thin: options -> RemovalSpec -> @layerprune/surgery pruneModel -> result table.
// Options and help: ./prune-options.ts.
import { defaultModelDir } from '@layerprune/assets';
import { parseByteSize } from '@layerprune/tensor-io';
import {
  parseIndexList,
  parseRangeList,
  pruneModel,
  readAnalysisFile,
  type BlockRange,
  type ConfigChange,
  type RemovalSpec,
} from '@layerprune/surgery';
import type { CommandContext } from '../cli/command-context.js';
import { CliError, USAGE_EXIT_CODE } from '../cli/errors.js';
import { formatBytes, formatCount, formatTable } from '../cli/output.js';
import type { Progress } from '../cli/progress.js';

export interface PruneOptions {
  model?: string;
  out: string;
  drop?: string;
  dropLayers?: string;
  keep?: string;
  dropDeepest?: number;
  fromAnalysis?: string;
  n?: number;
  maxShardSize?: string;
  allowFinalBlock?: boolean;
  force?: boolean;
}

export interface PruneCommandResult {
  model: string;
  out: string;
  plan: RemovalSpec | Record<string, unknown>;
  numLayers: { before: number; after: number };
  removedBlocks: BlockRange[];
  /** One row per old block: its new index, or null when removed. */
  mapping: Array<{ old: number; new: number | null }>;
  parameters: { before: number; after: number; removedFraction: number };
  files: Array<{ file: string; bytes: number }>;
  totalBytes: number;
  configChanges: ConfigChange[];
  warnings: string[];
  provenance: string;
}

const SELECTORS = ['drop', 'drop-layers', 'keep', 'drop-deepest', 'from-analysis'] as const;

function usage(message: string): CliError {
  return new CliError('USAGE', message, USAGE_EXIT_CODE);
}

/** Exactly one selector; --n goes with --from-analysis only. */
async function specFromOptions(o: PruneOptions): Promise<RemovalSpec> {
  const given = SELECTORS.filter((s) => {
    const key = s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof PruneOptions;
    return o[key] !== undefined;
  });
  if (given.length !== 1) {
    throw usage(`prune needs exactly one of ${SELECTORS.map((s) => `--${s}`).join(', ')}; got ${given.length === 0 ? 'none' : given.map((s) => `--${s}`).join(' and ')}`);
  }
  if ((o.n !== undefined) !== (o.fromAnalysis !== undefined)) {
    throw usage('--from-analysis and --n go together: --from-analysis analysis.json --n N');
  }
  if (o.drop !== undefined) {
    const blocks = parseRangeList(o.drop, '--drop');
    return blocks.length === 1 ? { kind: 'drop-block', start: blocks[0][0], end: blocks[0][1] } : { kind: 'drop-blocks', blocks };
  }
  if (o.dropLayers !== undefined) return { kind: 'drop-layers', layers: parseIndexList(o.dropLayers, '--drop-layers') };
  if (o.keep !== undefined) return { kind: 'keep-slices', slices: parseRangeList(o.keep, '--keep') };
  if (o.dropDeepest !== undefined) return { kind: 'drop-deepest', n: o.dropDeepest };
  const file = o.fromAnalysis as string;
  return { kind: 'from-analysis', analysis: await readAnalysisFile(file), n: o.n as number, file };
}

export async function runPrune(options: PruneOptions, ctx: CommandContext): Promise<PruneCommandResult> {
  const spec = await specFromOptions(options);
  const maxShardBytes = options.maxShardSize === undefined ? undefined : parseByteSize(options.maxShardSize);
  const model = options.model ?? defaultModelDir();
  // Created on the first tensor, when the total is known.
  const bar: { current: Progress | null } = { current: null };
  const pruning = pruneModel({
    model,
    out: options.out,
    spec,
    maxShardBytes,
    allowFinalBlock: options.allowFinalBlock,
    force: options.force,
    onProgress: (event) => {
      if (event.phase !== 'write') return;
      bar.current ??= ctx.progress({ label: 'prune', total: event.total, unit: 'tensors' });
      bar.current.update(event.done);
    },
  });
  const result = await pruning.finally(() => bar.current?.stop());
  for (const warning of result.warnings) ctx.warn(warning);
  for (const removed of result.removedTempDirs) ctx.log(`removed stale temporary directory ${removed}`);
  const { plan, parameters } = result;
  return {
    model: result.inputDir,
    out: result.outDir,
    plan: plan.spec,
    numLayers: { before: plan.numLayersBefore, after: plan.numLayersAfter },
    removedBlocks: plan.removedBlocks,
    mapping: plan.oldToNew.map((n, old) => ({ old, new: n })),
    parameters: { ...parameters, removedFraction: 1 - parameters.after / parameters.before },
    files: result.files,
    totalBytes: result.files.reduce((sum, f) => sum + f.bytes, 0),
    configChanges: result.config.changes,
    warnings: result.warnings,
    provenance: result.provenanceFile,
  };
}

/** Short form of a config value for the summary: long lists become their length. */
function briefValue(value: unknown): string {
  const text = JSON.stringify(value);
  return Array.isArray(value) && text.length > 60 ? `[${value.length} entries]` : text;
}

export function renderPrune(r: PruneCommandResult): string {
  const blocks = r.removedBlocks.map(([s, e]) => `[${s}, ${e})`).join(' ');
  const mapping = formatTable(
    ['old', 'new'],
    r.mapping.map((m) => [m.old, m.new === null ? 'removed' : m.new]),
    { alignRight: [0, 1] },
  );
  const files = formatTable(['file', 'size'], [...r.files.map((f) => [f.file, formatBytes(f.bytes)]), ['total', formatBytes(r.totalBytes)]], {
    alignRight: [1],
  });
  const changes = r.configChanges.map((c) => `  ${c.field}: ${briefValue(c.before)} -> ${briefValue(c.after)}`);
  return [
    `pruned ${r.model}`,
    `    -> ${r.out}`,
    `layers ${r.numLayers.before} -> ${r.numLayers.after} (removed ${blocks})`,
    `parameters ${formatCount(r.parameters.before)} -> ${formatCount(r.parameters.after)} (-${(100 * r.parameters.removedFraction).toFixed(1)}%)`,
    '',
    mapping,
    '',
    files,
    '',
    'config.json changes:',
    ...changes,
    `provenance: ${r.provenance}`,
  ].join('\n');
}
