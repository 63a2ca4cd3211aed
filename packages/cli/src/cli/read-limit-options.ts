// The data reader's limits as command-line options, the same on every command
// that reads text (analyze, heal, eval, run): `--max-document-size 256MiB`
// raises the longest accepted line/document (default 64 MiB), and
// `--encoding-errors replace` reads invalid UTF-8 as U+FFFD instead of failing.
// readLimitsFrom (read-limits.ts) turns the parsed flags into the library's options.
import type { EncodingErrors } from '@layerprune/data';
import type { Argv } from 'yargs';

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
