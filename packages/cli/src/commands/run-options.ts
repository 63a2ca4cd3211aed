// `layerprune run`: options, help and examples. Light on purpose (no pipeline,
// no tfjs): `--help` loads this; ./run.js does the work and is loaded to run.
import { backendOption } from '../cli/backend-option.js';
import { defineCommand } from '../cli/define-command.js';
import { engineOptions, trainerOptions } from '../cli/engine-option.js';
import { withReadLimitOptions } from '../cli/read-limit-options.js';
import type { RunCommandResult, RunOptions } from './run.js';

export const runCommand = defineCommand<RunOptions, RunCommandResult>({
  command: 'run',
  describe: 'The whole experiment: analyze, prune (similarity and deepest), evaluate, heal with QLoRA, evaluate, report',
  builder: (y) =>
    withReadLimitOptions(y)
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled stories260K)' })
      .option('data', { type: 'string', describe: 'Calibration and healing text: .txt, .jsonl, .parquet or .gz (default: bundled TinyStories)' })
      .option('field', { type: 'string', alias: 'text-field', describe: 'JSON Lines field, or Parquet column, of --data holding the text (default: the pipeline file\'s textField, else "text")' })
      .option('eval', { type: 'string', array: true, describe: 'Evaluation task <kind>:<path>, repeatable (loss, mmlu, arc, hellaswag, boolq, mc)' })
      .option('fractions', { type: 'string', describe: 'Fractions of blocks to drop, comma-separated (default 0.2,0.4,0.6)' })
      .option('methods', { type: 'string', describe: 'similarity,deepest (default both)' })
      .option('heal-steps', { type: 'number', describe: 'QLoRA steps per pruned model; 0 skips healing' })
      .option('samples', { type: 'number', describe: 'Calibration samples for the distance analysis' })
      .option('limit', { type: 'number', describe: 'Items per multiple-choice task (per subject for MMLU)' })
      .option('shots', { type: 'number', describe: 'MMLU shots (default 5)' })
      .option('seed', { type: 'number', describe: 'Seed for sampling, initialisation and dropout' })
      .option('backend', backendOption('the pipeline file\'s, else auto'))
      // Analysis, evaluation and healing run on --engine (each the first of its list that supports the model).
      .options(engineOptions(true, 'both'))
      .options(trainerOptions(true))
      .option('out', { type: 'string', describe: 'Output directory (default ./layerprune-run)' })
      .option('config', { type: 'string', describe: 'Pipeline file (JSON or YAML) with the same options; the command line overrides it' })
      .option('resume', { type: 'boolean', describe: 'Continue the run recorded in --out, redoing only unfinished stages' })
      .option('force', { type: 'boolean', describe: 'Replace a previous layerprune output in --out (never a directory layerprune did not write)' }),
  examples: [
    ['$0 run', 'the whole experiment on the bundled model'],
    ['$0 run --config pipeline.yaml --out llama-run', 'a real model, settings from a pipeline file'],
    ['$0 run --config pipeline.yaml --out llama-run --resume', 'continue after an interruption'],
    ['$0 run --engine tfjs --out tfjs-run', 'analyze, evaluate and heal on TensorFlow.js instead of ONNX Runtime'],
  ],
  load: async () => {
    const { runRun, renderRun } = await import('./run.js');
    return { run: runRun, render: renderRun };
  },
});
