// Reads a task file as numbered lines, checking UTF-8 line by line so that a bad
// byte is reported with the line it is on instead of failing the whole file or
// silently becoming U+FFFD. `.gz` files are decompressed first (the full
// HellaSwag validation set ships gzipped).
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { EvalError } from './eval-error.js';

export interface TextLine {
  /** 1-based line number in the (decompressed) file. */
  line: number;
  /** Decoded text without the line terminator (invalid bytes replaced by U+FFFD). */
  text: string;
  /** False when the line's bytes are not valid UTF-8. */
  valid: boolean;
  /** What ended the line: "\n", "\r\n", or "" for a last line without one. */
  terminator: string;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export async function readFileBytes(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new EvalError('FILE_NOT_FOUND', `${file}: no such file`, { file, cause: error });
    throw new EvalError('READ_FAILED', `${file}: cannot read (${code ?? String(error)})`, { file, cause: error });
  }
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new EvalError('READ_FAILED', `${file}: not a valid gzip file`, { file, cause: error });
    }
  }
  return bytes;
}

/** Splits bytes into lines (LF or CRLF), decoding each one on its own. */
export function splitTextLines(bytes: Uint8Array): TextLine[] {
  const lines: TextLine[] = [];
  let start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let number = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end === -1 ? bytes.length : end + 1;
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    const slice = bytes.subarray(start, stop);
    let text: string;
    let valid = true;
    try {
      text = strictDecoder.decode(slice);
    } catch {
      valid = false;
      text = lenientDecoder.decode(slice);
    }
    const terminator = end === bytes.length ? '' : stop < end ? '\r\n' : '\n';
    lines.push({ line: number, text, valid, terminator });
    number += 1;
    start = next;
  }
  return lines;
}

export async function readTextLines(file: string): Promise<TextLine[]> {
  return splitTextLines(await readFileBytes(file));
}
