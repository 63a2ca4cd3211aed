export { main } from './main.js';
export type { MainStreams } from './main.js';
export type { GlobalOptions } from './cli/command-context.js';
