// `layerprune heal`: options, help and examples. Light on purpose (no lora, no
// tfjs): `--help` loads this; ./heal.js does the work and is loaded to run.
import { backendOption } from '../cli/backend-option.js';
import { defineCommand } from '../cli/define-command.js';
import { engineOptions, trainerOptions } from '../cli/engine-option.js';
import { withReadLimitOptions } from '../cli/read-limit-options.js';
import type { HealCommandOptions, HealCommandResult } from './heal.js';

/**
 * CLI defaults. The paper's recipe (and @layerprune/lora's HEAL_DEFAULTS, which a
 * test checks these against) except where the bundled 260K-parameter model needs
 * smaller numbers: 200 steps instead of 5000 with 10 warmup steps instead of 100
 * (same schedule shape, minutes instead of hours on a CPU), checkpoints every 50
 * steps, and sequences of 256 tokens (the paper's 2048 exceeds the model's 512
 * positions). The sequence length never exceeds the model's max_position_embeddings.
 * Written out rather than imported: importing @layerprune/lora loads TensorFlow.js.
 */
export const HEAL_CLI_DEFAULTS = Object.freeze({
  steps: 200,
  batchSize: 16,
  microBatchSize: 1,
  seqLen: 256,
  lr: 3e-4,
  warmup: 10,
  rank: 8,
  alpha: 8,
  dropout: 0.05,
  targets: 'mlp',
  bits: 4,
  saveEvery: 50,
  seed: 42,
  evalSequences: 32,
});

export const healCommand = defineCommand<HealCommandOptions, HealCommandResult>({
  command: 'heal',
  describe: 'Heal a pruned model with QLoRA adapters (PEFT format), optionally merged into a full model',
  builder: (y) =>
    withReadLimitOptions(y)
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled model)' })
      .option('data', { type: 'string', describe: 'Training corpus: text (blank-line separated), JSON Lines, gzip of either, or Parquet (default: bundled TinyStories)' })
      .option('eval-data', { type: 'string', describe: 'Held-out corpus for loss before/after (default with the bundled corpus: its held-out part)' })
      .option('field', { type: 'string', alias: 'text-field', describe: 'JSON Lines field, or Parquet column, holding the text of --data and --eval-data (default text)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output directory: adapter, train_log.jsonl, loss_curve.svg, checkpoint/' })
      .option('steps', { type: 'number', describe: `Optimizer steps (default ${HEAL_CLI_DEFAULTS.steps}; paper 5000)` })
      .option('batch-size', { type: 'number', alias: 'batch', describe: `Global batch in sequences (default ${HEAL_CLI_DEFAULTS.batchSize})` })
      .option('micro-batch-size', { type: 'number', alias: 'micro-batch', describe: `Sequences per forward/backward (default ${HEAL_CLI_DEFAULTS.microBatchSize})` })
      .option('seq-len', { type: 'number', describe: `Tokens per packed sequence (default ${HEAL_CLI_DEFAULTS.seqLen}, at most the model's positions; paper 2048)` })
      .option('lr', { type: 'number', describe: `Peak learning rate (default ${HEAL_CLI_DEFAULTS.lr})` })
      .option('warmup', { type: 'number', describe: `Linear warmup steps before the cosine decay (default ${HEAL_CLI_DEFAULTS.warmup}; paper 100)` })
      .option('rank', { type: 'number', describe: `LoRA rank r (default ${HEAL_CLI_DEFAULTS.rank})` })
      .option('alpha', { type: 'number', describe: `LoRA alpha; scaling alpha/r (default ${HEAL_CLI_DEFAULTS.alpha})` })
      .option('dropout', { type: 'number', describe: `Dropout on the adapter input (default ${HEAL_CLI_DEFAULTS.dropout})` })
      .option('targets', { type: 'string', describe: 'mlp | all-linear | attention | comma list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default mlp)' })
      .option('bits', { type: 'number', choices: [4, 16, 32], describe: 'Frozen base precision: 4 (NF4, double quant), 16 or 32 (default 4)' })
      .option('save-every', { type: 'number', describe: `Checkpoint every N steps, 0 = only at the end (default ${HEAL_CLI_DEFAULTS.saveEvery})` })
      .option('resume', { type: 'boolean', describe: 'Continue from the checkpoint in --out' })
      .option('force', { type: 'boolean', describe: 'Replace a previous layerprune output in --out (never a directory layerprune did not write)' })
      .option('merge', { type: 'boolean', describe: 'Also write <out>/merged: the model with the adapter folded in' })
      .option('merge-dtype', { choices: ['F32', 'F16', 'BF16'] as const, describe: 'dtype of the merged weights (default: each tensor keeps the source dtype)' })
      .option('seed', { type: 'number', describe: `Seed for init, data order and dropout (default ${HEAL_CLI_DEFAULTS.seed})` })
      .option('backend', backendOption())
      .options(engineOptions(false, 'training'))
      .options(trainerOptions()),
  examples: [
    ['$0 heal --model pruned --out healed --merge', 'QLoRA on the bundled text; healed/merged: the model'],
    ['$0 heal --model pruned --data c4.jsonl --out healed --steps 5000', 'the paper\'s 5000 steps on your corpus'],
    ['$0 heal --model pruned --data train.parquet --field content --out healed', 'a Hugging Face dataset file, its "content" column'],
    ['$0 heal --model pruned --out healed --batch-size 8 --micro-batch-size 2', 'smaller batches, less memory'],
    ['$0 heal --model pruned --out healed --resume', 'continue from the last checkpoint (on any engine)'],
    ['$0 heal --model pruned --out healed --engine onnx --threads 4', 'train on ONNX Runtime with 4 threads'],
    ['$0 heal --model pruned --out healed --engine tfjs --backend wasm', 'train on TensorFlow.js (wasm)'],
    ['$0 heal --model pruned --out healed --engine onnx --keep-activations', 'faster onnx training that keeps each block\'s activations (more memory)'],
  ],
  load: async () => {
    const { runHeal, renderHeal } = await import('./heal.js');
    return { run: runHeal, render: renderHeal };
  },
});
