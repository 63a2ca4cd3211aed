// `layerprune eval`: options, help and examples. Light on purpose (no model, no
// tfjs): `--help` loads this; ./eval.js does the work and is loaded to run.
import { backendOption } from '../cli/backend-option.js';
import { defineCommand } from '../cli/define-command.js';
import { engineOptions } from '../cli/engine-option.js';
import { withReadLimitOptions } from '../cli/read-limit-options.js';
import type { EvalCommandResult, EvalOptions } from './eval.js';

export const evalCommand = defineCommand<EvalOptions, EvalCommandResult>({
  command: 'eval',
  describe: 'Loss, perplexity and multiple-choice accuracy (MMLU, ARC, HellaSwag, BoolQ) as lm-evaluation-harness computes them',
  builder: (y) =>
    withReadLimitOptions(y)
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled model)' })
      .option('task', {
        type: 'string',
        array: true,
        describe: 'loss:FILE | mmlu:DIR | arc:FILE | hellaswag:FILE | boolq:FILE | mc:FILE; a .parquet FILE (Hugging Face layout) for any, mmlu too (repeatable; default: bundled held-out text and MMLU)',
      })
      .option('field', { type: 'string', alias: 'text-field', describe: 'loss tasks: the JSON Lines field, or Parquet column, holding the text (default text)' })
      .option('shots', { type: 'number', describe: 'MMLU examples from the dev split (default 5)' })
      .option('limit', { type: 'number', describe: 'At most N items per task (per subject for MMLU; documents for loss)' })
      .option('sample', { type: 'boolean', describe: 'With --limit: a seeded random sample instead of the first N' })
      .option('seed', { type: 'number', describe: 'Seed of --sample (default 1234)' })
      .option('subjects', { type: 'string', describe: 'MMLU subjects to keep, comma separated (e.g. anatomy,virology)' })
      .option('compare', { type: 'string', describe: 'A second model (directory or repo id; e.g. the original): its loss and the agreement on the loss texts' })
      .option('strict', { type: 'boolean', describe: 'Refuse malformed rows instead of skipping them' })
      .option('bos', { type: 'boolean', default: true, describe: 'BOS before multiple-choice contexts (--no-bos: harness < 0.4.10)' })
      .option('batch-size', { type: 'number', alias: 'batch', describe: 'Sequences per forward pass (default 8)' })
      .option('max-length', { type: 'number', describe: 'Context window (default: max_position_embeddings)' })
      .option('items', { type: 'boolean', describe: 'Per-item log-likelihoods and predictions in --json' })
      .option('backend', backendOption())
      .options(engineOptions()),
  examples: [
    ['$0 eval', 'the bundled model: held-out loss and MMLU'],
    ['$0 eval --model pruned --task loss:heldout.txt --compare original', 'loss next to the original\'s, and agreement'],
    ['$0 eval --model healed/merged --task mmlu:mmlu --limit 20 --batch-size 4', 'MMLU, 20 questions per subject'],
    ['$0 eval --engine onnx --threads 4 --task loss:heldout.txt', 'on ONNX Runtime with 4 threads'],
  ],
  load: async () => {
    const { runEval, renderEval } = await import('./eval.js');
    return { run: runEval, render: renderEval };
  },
});
