// What every command receives besides its parsed options: where to write, whether
// the user asked for JSON, and a progress factory. Tests build one with
// `createCommandContext({ stdout, stderr })` to capture output.
import { escapeTerminal } from './escape-terminal.js';
import { createProgress, type Progress, type ProgressOptions } from './progress.js';

export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
}

export interface CommandContext {
  readonly json: boolean;
  readonly debug: boolean;
  readonly quiet: boolean;
  /** Writes the command's result (human text or JSON) to stdout. */
  out(text: string): void;
  /** Informational line on stderr (backend chosen, files written...); silent with --quiet. */
  log(text: string): void;
  /** Warning line on stderr, always shown. */
  warn(text: string): void;
  progress(options: Omit<ProgressOptions, 'stream' | 'quiet'>): Progress;
}

export interface ContextStreams {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export function createCommandContext(options: GlobalOptions, streams: ContextStreams = {}): CommandContext {
  const stdout = streams.stdout ?? process.stdout;
  const stderr = streams.stderr ?? process.stderr;
  const quiet = options.quiet ?? false;
  return {
    json: options.json ?? false,
    debug: options.debug ?? false,
    quiet,
    out: (text) => {
      stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    // Log and warning lines quote paths and names from files: escaped like results.
    log: (text) => {
      if (!quiet) stderr.write(`${escapeTerminal(text, { multiline: true })}\n`);
    },
    warn: (text) => {
      stderr.write(`warning: ${escapeTerminal(text, { multiline: true })}\n`);
    },
    progress: (progressOptions) => createProgress({ ...progressOptions, stream: stderr, quiet }),
  };
}
