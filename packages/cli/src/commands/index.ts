// Every command of the CLI, in the order `layerprune --help` lists them.
import type { CommandModule } from 'yargs';
import type { GlobalOptions } from '../cli/command-context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<GlobalOptions, any>[] = [];
