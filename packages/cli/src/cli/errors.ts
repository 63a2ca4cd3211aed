// How failures reach the user: one line on stderr, a non-zero exit code, and the
// stack only with --debug. Library packages throw typed errors with a `code`;
// this file is the one place that turns them into text.
import { LayerpruneError } from '@layerprune/safe-output';
import { describeSystemError } from './describe-system-error.js';
import { escapeTerminal } from './escape-terminal.js';

/** Errors raised by the CLI itself (bad option combinations, paths...). */
export class CliError extends LayerpruneError<string> {
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 1) {
    super(code, message);
    this.exitCode = exitCode;
  }
}

/** Exit code for usage errors (unknown option, missing argument), as most CLIs do. */
export const USAGE_EXIT_CODE = 2;

interface CodedError {
  code: string;
  message: string;
}

function isCodedError(value: unknown): value is CodedError {
  return (
    value instanceof Error &&
    // Node errors with other codes (ERR_*) are shown with their code too.
    typeof (value as unknown as { code?: unknown }).code === 'string'
  );
}

/**
 * One line describing `error` for stderr; no stack, no newlines, and no control
 * characters: messages quote paths, tensor names and values read from files.
 */
export function formatErrorLine(error: unknown): string {
  const system = describeSystemError(error);
  if (system !== null) return `error [${safe(system.code)}]: ${safe(system.message)}`;
  if (isCodedError(error)) {
    return `error [${safe(error.code)}]: ${safe(error.message)}`;
  }
  if (error instanceof Error) {
    return `internal error: ${safe(error.message)} (run with --debug for the stack trace)`;
  }
  return `internal error: ${safe(String(error))}`;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  return 1;
}

/** Line breaks become spaces (one line), then every other control character a visible escape. */
function safe(text: string): string {
  return escapeTerminal(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}
