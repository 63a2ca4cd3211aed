// `layerprune generate`: options, help and examples. Light on purpose (no model,
// no tfjs): `--help` loads this; ./generate.js does the work and is loaded to run.
import type { BackendName } from '@layerprune/model';
import { backendOption } from '../cli/backend-option.js';
import { defineCommand } from '../cli/define-command.js';
import { engineOptions } from '../cli/engine-option.js';
import type { GenerateModeOption, GenerateResult } from './generate.js';

export const DEFAULT_MAX_TOKENS = 256;
export const DEFAULT_TEMPERATURE = 1;
export const DEFAULT_TOP_P = 0.9;

export const generateCommand = defineCommand({
  command: 'generate',
  describe: 'Continue a prompt with a model (greedy or seeded sampling)',
  builder: (yargs) =>
    yargs
      .option('model', { type: 'string', describe: 'Model directory, or Hugging Face repo id org/name[@revision] from the local cache (default: the bundled stories260K)' })
      .option('prompt', { type: 'string', demandOption: true, describe: 'Text to continue' })
      .option('max-tokens', { type: 'number', describe: `New tokens to generate at most (default ${DEFAULT_MAX_TOKENS}, at most the model's positions)` })
      .option('temperature', { type: 'number', default: DEFAULT_TEMPERATURE, describe: 'Sampling temperature; 0 = greedy' })
      .option('top-p', { type: 'number', default: DEFAULT_TOP_P, describe: 'Nucleus sampling threshold in (0, 1]; 1 = off' })
      .option('seed', { type: 'number', describe: 'Seed of the sampler (default: random, printed)' })
      .option('backend', backendOption())
      .options(engineOptions())
      .option('mode', { choices: ['auto', 'resident', 'streaming'] as GenerateModeOption[], default: 'auto' as GenerateModeOption, describe: 'Keep weights resident or stream one layer at a time' }),
  examples: [
    ['$0 generate --prompt "Once upon a time" --temperature 0', 'greedy, with the bundled stories260K'],
    ['$0 generate --model healed/merged --prompt "Once" --seed 7', 'seeded sampling from a healed model'],
    ['$0 generate --prompt "Once" --temperature 0 --engine tfjs', 'greedy on TensorFlow.js (same text as onnx)'],
  ],
  load: async () => {
    const { runGenerate, renderGenerate } = await import('./generate.js');
    return {
      run: (args, ctx): Promise<GenerateResult> =>
        runGenerate(
          {
            model: args.model,
            prompt: args.prompt,
            maxTokens: args.maxTokens,
            temperature: args.temperature,
            topP: args.topP,
            seed: args.seed,
            backend: args.backend as BackendName | undefined,
            engine: args.engine,
            threads: args.threads,
            device: args.device,
            mode: args.mode,
          },
          ctx,
        ),
      render: renderGenerate,
    };
  },
});
