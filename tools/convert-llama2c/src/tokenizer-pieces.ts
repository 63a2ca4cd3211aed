/** Kinds of sentencepiece pieces (sentencepiece_model.proto SentencePiece.Type, lower-cased). */
export type PieceType = 'normal' | 'unknown' | 'control' | 'user_defined' | 'unused' | 'byte';

export interface TokenizerPiece {
  /** The piece as sentencepiece spells it: "▁" for a space, "<0x0A>" for a byte. */
  piece: string;
  score: number;
  type: PieceType;
}

/** A sentencepiece BPE vocabulary, whichever file it came from. */
export interface TokenizerPieces {
  /** Path of the file read. */
  source: string;
  format: 'sentencepiece-model' | 'llama2c-bin';
  /** Indexed by token id. */
  pieces: TokenizerPiece[];
  /** True when unknown characters are spelled as `<0xXX>` byte pieces (all 256 are present). */
  byteFallback: boolean;
  /** Whether sentencepiece prepends "▁" to the input (NormalizerSpec.add_dummy_prefix; run.c always does). */
  addDummyPrefix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
}

/** "<0x0A>" for byte 10: how sentencepiece names byte-fallback pieces. */
export function bytePieceName(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** True when every byte 0..255 has its `<0xXX>` piece, so byte fallback can spell any UTF-8 text. */
export function hasAllBytePieces(pieces: readonly TokenizerPiece[]): boolean {
  const bytes = new Set(pieces.filter((p) => p.type === 'byte').map((p) => p.piece));
  for (let b = 0; b < 256; b++) if (!bytes.has(bytePieceName(b))) return false;
  return true;
}
