export { main } from './main.js';
export type { MainStreams } from './main.js';
export { defineCommand } from './cli/define-command.js';
export type { CommandSpec } from './cli/define-command.js';
export type { CommandContext, GlobalOptions } from './cli/command-context.js';
export { CliError } from './cli/errors.js';
