// `layerprune prune`: options, help and examples. Light on purpose (no surgery,
// no tfjs): `--help` loads this; ./prune.js does the work and is loaded to run.
import { defineCommand } from '../cli/define-command.js';
import type { PruneCommandResult, PruneOptions } from './prune.js';

export const pruneCommand = defineCommand<PruneOptions, PruneCommandResult>({
  command: 'prune',
  describe: 'Remove transformer blocks and write a valid smaller model (never modifies the input)',
  builder: (y) =>
    y
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled model)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output directory (must not exist or be empty, unless --force)' })
      .option('drop', { type: 'string', describe: 'Drop half-open block(s) START:END, e.g. 20:28 or 4:6,10:12' })
      .option('drop-layers', { type: 'string', describe: 'Drop individual layers, e.g. 3,7,9' })
      .option('keep', { type: 'string', describe: 'Keep slices (mergekit style), drop the rest, e.g. 0:21,29:32' })
      .option('drop-deepest', { type: 'number', describe: 'Drop the deepest N blocks but keep the final one: [L-N-1, L-1)' })
      .option('from-analysis', { type: 'string', describe: 'analysis.json from `layerprune analyze` (with --n)' })
      .option('n', { type: 'number', describe: 'Block size to take from --from-analysis' })
      .option('max-shard-size', { type: 'string', describe: 'Re-shard the output, e.g. 2GB, 500MB (default: follow the input)' })
      .option('allow-final-block', { type: 'boolean', describe: 'Allow removing the final block (warns)' })
      .option('force', { type: 'boolean', describe: 'Replace a previous layerprune output in --out (never a directory layerprune did not write)' }),
  examples: [
    ['$0 prune --from-analysis out/analysis/analysis.json --n 2 --out pruned', 'drop the 2 blocks the analysis recommends'],
    ['$0 prune --model llama-7b --drop 24:28 --out pruned', 'drop blocks 24 to 27'],
    ['$0 prune --model llama-7b --keep 0:21,29:32 --out pruned', 'keep two slices (mergekit style)'],
  ],
  load: async () => {
    const { runPrune, renderPrune } = await import('./prune.js');
    return { run: runPrune, render: renderPrune };
  },
});
