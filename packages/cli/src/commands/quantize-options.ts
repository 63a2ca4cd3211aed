// `layerprune quantize`: options, help and examples. Light on purpose (no quant
// kernels loaded): `--help` loads this; ./quantize.js does the work and is loaded to run.
import { defineCommand } from '../cli/define-command.js';
import type { QuantizeCommandResult, QuantizeOptions } from './quantize.js';

export const quantizeCommand = defineCommand<QuantizeOptions, QuantizeCommandResult>({
  command: 'quantize',
  describe: 'Write a bitsandbytes 4-bit (NF4/FP4) or int8 copy of a model and report the error per weight',
  builder: (y) =>
    y
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled model)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output directory (must not exist, unless --force)' })
      .option('type', { choices: ['nf4', 'fp4', 'int8'] as const, default: 'nf4' as const, describe: 'Quantization format' })
      .option('block-size', { type: 'number', default: 64, describe: '4-bit values per absmax block: a power of two in 32..4096' })
      .option('double-quant', { type: 'boolean', describe: 'Quantize the absmax values too (0.5 -> 0.127 bits per parameter)' })
      .option('compute-dtype', {
        choices: ['float32', 'bfloat16', 'float16'] as const,
        describe: 'bnb_4bit_compute_dtype written to config.json (default float32)',
      })
      .option('quantize-embeddings', { type: 'boolean', describe: 'Also quantize model.embed_tokens (only this toolkit reads that back)' })
      .option('quantize-lm-head', { type: 'boolean', describe: 'Also quantize lm_head' })
      .option('quantize-norms', { type: 'boolean', describe: 'Also quantize the RMSNorm weights (4-bit only; only this toolkit reads that back)' })
      .option('skip-modules', { type: 'string', describe: 'Comma-separated modules kept in full precision, e.g. down_proj,model.layers.0' })
      .option('max-shard-size', { type: 'string', describe: 'Largest safetensors shard, e.g. 2GB (default 5GB)' })
      .option('force', { type: 'boolean', describe: 'Replace a previous layerprune output in --out (never a directory layerprune did not write)' }),
  examples: [
    ['$0 quantize --model pruned --out pruned-nf4', 'NF4 in blocks of 64, with the error per weight'],
    ['$0 quantize --model pruned --out pruned-int8 --type int8', 'int8, row-wise absmax'],
  ],
  load: async () => {
    const { runQuantize, renderQuantize } = await import('./quantize.js');
    return { run: runQuantize, render: renderQuantize };
  },
});
