// One document of a corpus, with where it came from so errors and samples can be traced.
import { DEFAULT_MAX_DOCUMENT_BYTES } from './read-limits.js';

export interface Document {
  text: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** 1-based line where the document starts (in the decompressed file). */
  line: number;
}

/** @deprecated The limit is now in bytes and can be set per call: use DEFAULT_MAX_DOCUMENT_BYTES and `maxDocumentBytes`. */
export const MAX_DOCUMENT_CHARS = DEFAULT_MAX_DOCUMENT_BYTES;
