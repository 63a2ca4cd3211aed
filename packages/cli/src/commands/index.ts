// Every command of the CLI, in the order `layerprune --help` lists them. These are
// the light modules (options, help, examples); each loads its implementation
// (./analyze.js, ./heal.js...) with a dynamic import when it runs, so `--help` and
// `--version` never load TensorFlow.js, the model runtime or the pipeline.
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/command-context.js';
import { analyzeCommand } from './analyze-options.js';
import { evalCommand } from './eval-options.js';
import { generateCommand } from './generate-options.js';
import { healCommand } from './heal-options.js';
import { inspectCommand } from './inspect-options.js';
import { pruneCommand } from './prune-options.js';
import { quantizeCommand } from './quantize-options.js';
import { runCommand } from './run-options.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<GlobalOptions, any>[] = [
  runCommand,
  analyzeCommand,
  pruneCommand,
  quantizeCommand,
  healCommand,
  evalCommand,
  generateCommand,
  inspectCommand,
];
