// Cuts a stream of byte chunks into numbered lines with bounded memory: a line
// longer than `maxDocumentBytes` is refused as soon as that many bytes have
// arrived without a newline, so a file with no line breaks (a binary blob, a
// gzip bomb of one byte value) never grows one string without limit.
//
// Lines are split on bytes (LF, with CRLF recognised) and decoded only when
// complete. A newline byte never occurs inside a multi-byte UTF-8 sequence, so a
// character split across two chunks is simply part of one line's bytes and
// decodes whole; nothing is decoded at a chunk boundary.
import { DataError, where } from './data-error.js';
import type { FileLine } from './line.js';
import { formatBytes, type ResolvedReadLimits } from './read-limits.js';

const LF = 0x0a;
const CR = 0x0d;
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 0x80) {
      i += 1;
      continue;
    }
    const trailing = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (trailing < 0 || i + trailing >= bytes.length) return i;
    for (let k = 1; k <= trailing; k += 1) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1];
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((c === 0xe0 && second < 0xa0) || (c === 0xed && second > 0x9f) || (c === 0xf0 && second < 0x90) || (c === 0xf4 && second > 0x8f)) {
      return i;
    }
    i += trailing + 1;
  }
  return -1;
}

/**
 * Cuts byte chunks into numbered lines: `push` each chunk, then `end`. Both return
 * the lines completed so far, synchronously, so a reader pays for one async step
 * per chunk rather than per line. A UTF-8 BOM at the start is dropped.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private number = 0;
  private readonly limit: number;

  constructor(
    private readonly file: string,
    private readonly limits: ResolvedReadLimits,
  ) {
    this.limit = limits.maxDocumentBytes;
  }

  push(chunk: Buffer): FileLine[] {
    const lines: FileLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        this.pendingBytes += chunk.length - start;
        // +1: the line may still end in CR LF, and the CR is not content.
        if (this.pendingBytes > this.limit + 1) throw this.tooLarge(this.number + 1);
        this.pending.push(chunk.subarray(start));
        break;
      }
      let bytes = chunk.subarray(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(bytes);
        bytes = Buffer.concat(this.pending, this.pendingBytes + bytes.length);
        this.pending = [];
        this.pendingBytes = 0;
      }
      lines.push(this.lineOf(bytes, true));
      start = newline + 1;
    }
    return lines;
  }

  /** The last line when the input does not end with a newline. */
  end(): FileLine[] {
    if (this.pendingBytes === 0) return [];
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return [this.lineOf(bytes, false)];
  }

  private tooLarge(line: number): DataError {
    return new DataError(
      'DOCUMENT_TOO_LARGE',
      `${where(this.file, line)}: line is longer than the limit of ${formatBytes(this.limit)} (maxDocumentBytes ${this.limit}); ` +
        'is this really a text corpus?',
      { file: this.file, line, limit: this.limit },
    );
  }

  private decode(content: Uint8Array, line: number): string {
    if (this.limits.encodingErrors === 'replace') return lenientDecoder.decode(content);
    try {
      return strictDecoder.decode(content);
    } catch (error) {
      const at = Math.max(0, firstInvalidUtf8(content));
      const byte = content[at]?.toString(16).padStart(2, '0') ?? 'end';
      throw new DataError(
        'INVALID_UTF8',
        `${where(this.file, line)}: not valid UTF-8 (byte 0x${byte} at byte ${at + 1} of the line); ` +
          'convert the file to UTF-8, or set encodingErrors to "replace" to read such bytes as U+FFFD',
        { file: this.file, line, limit: 'utf-8', cause: error },
      );
    }
  }

  private lineOf(bytes: Buffer, terminated: boolean): FileLine {
    const number = ++this.number;
    let end = bytes.length;
    let terminator: FileLine['terminator'] = terminated ? '\n' : '';
    if (terminated && end > 0 && bytes[end - 1] === CR) {
      end -= 1;
      terminator = '\r\n';
    }
    if (end > this.limit) throw this.tooLarge(number);
    let content = bytes.subarray(0, end);
    if (number === 1 && content.length >= 3 && content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) content = content.subarray(3);
    return { text: this.decode(content, number), number, bytes: content.length, terminator };
  }
}

/** Numbered lines of an async stream of chunks (see LineSplitter). */
export async function* splitLines(chunks: AsyncIterable<Buffer>, file: string, limits: ResolvedReadLimits): AsyncGenerator<FileLine> {
  const splitter = new LineSplitter(file, limits);
  for await (const chunk of chunks) yield* splitter.push(chunk);
  yield* splitter.end();
}
