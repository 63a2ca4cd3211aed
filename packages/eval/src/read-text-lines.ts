// Reads a task file as numbered lines through @layerprune/data's bounded reader:
// regular files only, a limit per line (maxDocumentBytes), a limit on what a gzip
// file may expand to, and strict UTF-8 checked line by line, so a bad byte is an
// error naming the line it is on instead of silently becoming U+FFFD (unless
// encodingErrors is "replace"). gzip is recognised by its magic bytes (the full
// HellaSwag validation set ships gzipped).
import { readLines, type ReadLimitOptions } from '@layerprune/data';
import { fromDataError } from './eval-error.js';

/** How task files are read: `maxDocumentBytes` (default 64 MiB), `maxDecompressedBytes`, `encodingErrors` (default "error"). */
export type TaskReadOptions = ReadLimitOptions;

export interface TextLine {
  /** 1-based line number in the (decompressed) file. */
  line: number;
  /** Decoded text without the line terminator. */
  text: string;
  /** UTF-8 bytes of the line in the file, without the terminator. */
  bytes: number;
  /** What ended the line: "\n", "\r\n", or "" for a last line without one. */
  terminator: string;
}

/** The lines of `file` one at a time; failures are EvalErrors naming the file (and line). */
export async function* streamTextLines(file: string, options: TaskReadOptions = {}): AsyncGenerator<TextLine> {
  try {
    for await (const l of readLines(file, options)) yield { line: l.number, text: l.text, bytes: l.bytes, terminator: l.terminator };
  } catch (error) {
    throw fromDataError(error);
  }
}

/** Every line of `file` in memory (task files are small; the per-line limit still applies). */
export async function readTextLines(file: string, options: TaskReadOptions = {}): Promise<TextLine[]> {
  const lines: TextLine[] = [];
  for await (const line of streamTextLines(file, options)) lines.push(line);
  return lines;
}
