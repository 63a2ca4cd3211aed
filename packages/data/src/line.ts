// One line of a data file, as the readers hand it to the parsers.

export interface Line {
  text: string;
  /** 1-based, in the (decompressed) file. */
  number: number;
  /** UTF-8 bytes of the line without its terminator (set by readLines; counted from `text` when absent). */
  bytes?: number;
}

/** A line as readLines yields it: with its size and how it ended, so a file can be rebuilt byte for byte. */
export interface FileLine extends Line {
  bytes: number;
  /** "\n", "\r\n", or "" for a last line without a terminator. */
  terminator: '\n' | '\r\n' | '';
}
