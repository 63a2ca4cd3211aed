// How failures reach the user: one line on stderr, a non-zero exit code, and the
// stack only with --debug. Library packages throw typed errors with a `code`;
// this file is the one place that turns them into text.

/** Errors raised by the CLI itself (bad option combinations, paths...). */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.code = code;
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
    // Node system errors (ENOENT...) also carry a code; they are formatted the same way.
    typeof (value as unknown as { code?: unknown }).code === 'string'
  );
}

/** One line describing `error` for stderr; no stack, no newlines. */
export function formatErrorLine(error: unknown): string {
  if (isCodedError(error)) {
    return `error [${error.code}]: ${oneLine(error.message)}`;
  }
  if (error instanceof Error) {
    return `internal error: ${oneLine(error.message)} (run with --debug for the stack trace)`;
  }
  return `internal error: ${oneLine(String(error))}`;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
