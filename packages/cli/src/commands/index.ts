// Every command of the CLI, in the order `layerprune --help` lists them.
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/command-context.js';
import { analyzeCommand } from './analyze.js';
import { evalCommand } from './eval.js';
import { generateCommand } from './generate.js';
import { healCommand } from './heal.js';
import { inspectCommand } from './inspect.js';
import { pruneCommand } from './prune.js';
import { quantizeCommand } from './quantize.js';
import { runCommand } from './run.js';

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
