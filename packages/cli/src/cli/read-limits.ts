// The library options for the data reader's limit flags (--max-document-size,
// --encoding-errors; declared by read-limit-options.ts). Separate from the flags'
// declaration so that `<command> --help` does not load @layerprune/tensor-io.
import type { ReadLimitOptions } from '@layerprune/data';
import { parseByteSize } from '@layerprune/tensor-io';
import { CliError, USAGE_EXIT_CODE } from './errors.js';
import type { ReadLimitArgs } from './read-limit-options.js';

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
