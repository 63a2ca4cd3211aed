// The data reader's limits as command-line options, the same on every command
// that reads text (analyze, heal, eval, run): `--max-document-size 256MiB`
// raises the longest accepted line/document (default 64 MiB), and
// `--encoding-errors replace` reads invalid UTF-8 as U+FFFD instead of failing.
import type { EncodingErrors, ReadLimitOptions } from '@layerprune/data';
import { parseByteSize } from '@layerprune/tensor-io';
import type { Argv } from 'yargs';
import { CliError, USAGE_EXIT_CODE } from './errors.js';

export interface ReadLimitArgs {
  maxDocumentSize?: string;
  encodingErrors?: EncodingErrors;
}

/** Adds --max-document-size and --encoding-errors to a command's options. */
export function withReadLimitOptions<T>(yargs: Argv<T>): Argv<T & ReadLimitArgs> {
  return yargs
    .option('max-document-size', {
      type: 'string',
      describe: 'Longest line or document accepted in data files, e.g. 64MiB (default), 1GB; longer is an error naming file and line',
    })
    .option('encoding-errors', {
      choices: ['error', 'replace'] as EncodingErrors[],
      describe: 'Invalid UTF-8 in data: error (default, names file and line) or replace with U+FFFD',
    }) as Argv<T & ReadLimitArgs>;
}

/** The library options for the given flags (absent flags stay absent: the library defaults apply). */
export function readLimitsFrom(args: ReadLimitArgs): ReadLimitOptions {
  const limits: ReadLimitOptions = {};
  if (args.maxDocumentSize !== undefined) {
    let bytes: number;
    try {
      bytes = parseByteSize(args.maxDocumentSize);
    } catch (error) {
      throw new CliError('INVALID_OPTION', `--max-document-size: ${(error as Error).message}`, USAGE_EXIT_CODE);
    }
    if (!(bytes >= 1)) throw new CliError('INVALID_OPTION', `--max-document-size must be at least 1 byte, got ${args.maxDocumentSize}`, USAGE_EXIT_CODE);
    limits.maxDocumentBytes = bytes;
  }
  if (args.encodingErrors !== undefined) limits.encodingErrors = args.encodingErrors;
  return limits;
}
