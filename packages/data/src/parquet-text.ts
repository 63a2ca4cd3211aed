// UTF-8 cells of Parquet files: decoded strictly, so a bad byte is INVALID_UTF8
// naming the file, row and column (as the line reader names the line), or as
// U+FFFD with encodingErrors "replace".
import { DataError } from './data-error.js';
import type { ResolvedReadLimits } from './read-limits.js';
import { firstInvalidUtf8 } from './split-lines.js';

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The text of a string cell of `column` at 1-based `row`. */
export function decodeParquetText(bytes: Uint8Array, file: string, row: number, column: string, limits: ResolvedReadLimits): string {
  if (limits.encodingErrors === 'replace') return lenientDecoder.decode(bytes);
  try {
    return strictDecoder.decode(bytes);
  } catch (error) {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    throw new DataError(
      'INVALID_UTF8',
      `${file}: row ${row}: column "${column}" is not valid UTF-8 (byte 0x${bytes[at].toString(16).padStart(2, '0')} at byte ${at + 1}); ` +
        'set encodingErrors to "replace" to read such bytes as U+FFFD',
      { file, line: row, field: column, limit: 'utf-8', cause: error },
    );
  }
}
