// One document of a corpus, with where it came from so errors and samples can be traced.

export interface Document {
  text: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** 1-based line where the document starts (in the decompressed file). */
  line: number;
}

/** Text documents above this many characters are rejected rather than held in memory. */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;
