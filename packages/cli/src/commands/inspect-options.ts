// `layerprune inspect`: options, help and examples. Light on purpose: `--help`
// loads this; ./inspect.js does the work and is loaded to run.
import { defineCommand } from '../cli/define-command.js';
import type { InspectOptions, InspectResult } from './inspect.js';

export const inspectCommand = defineCommand<InspectOptions, InspectResult>({
  command: 'inspect <path>',
  describe: 'List the tensors, sizes, metadata and architecture of a .safetensors file or model directory (reads headers only)',
  builder: (y) =>
    y.positional('path', { type: 'string', demandOption: true, describe: 'A .safetensors file, a Hugging Face model directory, or a repo id org/name[@revision] in the local Hugging Face cache' }),
  modelOptions: ['path'],
  examples: [
    ['$0 inspect llama-7b', 'architecture, parameters, tensors and dtypes of a model directory'],
    ['$0 inspect model.safetensors --json', 'the header of one weights file as JSON'],
    ['$0 inspect meta-llama/Llama-3.2-1B', 'a model in the Hugging Face cache (HF_HUB_CACHE, HF_HOME), offline'],
  ],
  load: async () => {
    const { runInspect, renderInspect } = await import('./inspect.js');
    return { run: (args, ctx) => runInspect({ path: args.path }, ctx), render: renderInspect };
  },
});
