import { ConvertError } from './convert-error.js';
import { TOKENIZER_LIMITS } from './limits.js';
import { ProtobufReader } from './protobuf-reader.js';
import { hasAllBytePieces } from './tokenizer-pieces.js';
import type { PieceType, TokenizerPiece, TokenizerPieces } from './tokenizer-pieces.js';

// Field numbers from sentencepiece_model.proto (proto2).
const MODEL_PIECES = 1;
const MODEL_TRAINER_SPEC = 2;
const MODEL_NORMALIZER_SPEC = 3;
const PIECE_TEXT = 1;
const PIECE_SCORE = 2;
const PIECE_TYPE = 3;
const TRAINER_MODEL_TYPE = 3;
const TRAINER_TREAT_WHITESPACE_AS_SUFFIX = 24;
const TRAINER_BYTE_FALLBACK = 35;
const TRAINER_UNK_ID = 40;
const TRAINER_BOS_ID = 41;
const TRAINER_EOS_ID = 42;
const NORMALIZER_ADD_DUMMY_PREFIX = 3;

const PIECE_TYPES: Record<number, PieceType> = { 1: 'normal', 2: 'unknown', 3: 'control', 4: 'user_defined', 5: 'unused', 6: 'byte' };
const MODEL_TYPES: Record<number, string> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };

/** What the trainer and normalizer specs say, with proto2 defaults filled in. */
export interface SentencePieceSpecs {
  modelType: string;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  addDummyPrefix: boolean;
}

/**
 * Parses a sentencepiece `.model` (a serialized ModelProto) into pieces, scores
 * and types. Only what a BPE Llama tokenizer needs is read; unknown fields are
 * skipped as protobuf requires.
 */
export function parseSentencePieceModel(bytes: Uint8Array, file: string): TokenizerPieces {
  const pieces: TokenizerPiece[] = [];
  const specs: SentencePieceSpecs = {
    modelType: 'unigram',
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    addDummyPrefix: true,
  };
  const reader = new ProtobufReader(bytes, file);
  for (const field of reader.fields()) {
    if (field.number === MODEL_PIECES) {
      if (pieces.length >= TOKENIZER_LIMITS.maxPieces) {
        throw new ConvertError('TOKENIZER_INVALID', `${file}: more than ${TOKENIZER_LIMITS.maxPieces} pieces`, { file, limit: TOKENIZER_LIMITS.maxPieces });
      }
      pieces.push(parsePiece(reader.message(field), file, pieces.length));
    } else if (field.number === MODEL_TRAINER_SPEC) {
      const spec = reader.message(field);
      for (const f of spec.fields()) {
        if (f.number === TRAINER_MODEL_TYPE) specs.modelType = MODEL_TYPES[spec.int32(f)] ?? `unknown (${spec.int32(f)})`;
        else if (f.number === TRAINER_BYTE_FALLBACK) specs.byteFallback = spec.int32(f) !== 0;
        else if (f.number === TRAINER_TREAT_WHITESPACE_AS_SUFFIX) specs.treatWhitespaceAsSuffix = spec.int32(f) !== 0;
        else if (f.number === TRAINER_UNK_ID) specs.unkId = spec.int32(f);
        else if (f.number === TRAINER_BOS_ID) specs.bosId = spec.int32(f);
        else if (f.number === TRAINER_EOS_ID) specs.eosId = spec.int32(f);
      }
    } else if (field.number === MODEL_NORMALIZER_SPEC) {
      const spec = reader.message(field);
      for (const f of spec.fields()) {
        if (f.number === NORMALIZER_ADD_DUMMY_PREFIX) specs.addDummyPrefix = spec.int32(f) !== 0;
      }
    }
    // Other fields (self-test data, denormalizer) are not needed.
  }
  if (pieces.length === 0) {
    throw new ConvertError('TOKENIZER_INVALID', `${file}: no pieces; not a sentencepiece .model`, { file, field: 'pieces' });
  }
  if (specs.modelType !== 'bpe') {
    throw new ConvertError('TOKENIZER_UNSUPPORTED', `${file}: sentencepiece model_type is ${specs.modelType}; only BPE (what llama2.c trains) is supported`, { file, field: 'trainer_spec.model_type' });
  }
  if (specs.treatWhitespaceAsSuffix) {
    throw new ConvertError('TOKENIZER_UNSUPPORTED', `${file}: treat_whitespace_as_suffix is set; Llama tokenizers put "▁" before words`, { file, field: 'trainer_spec.treat_whitespace_as_suffix' });
  }
  const byteFallback = hasAllBytePieces(pieces);
  if (specs.byteFallback && !byteFallback) {
    throw new ConvertError('TOKENIZER_INVALID', `${file}: trainer_spec.byte_fallback is set but the 256 <0xXX> byte pieces are not all present`, { file, field: 'trainer_spec.byte_fallback' });
  }
  return {
    source: file,
    format: 'sentencepiece-model',
    pieces,
    byteFallback,
    addDummyPrefix: specs.addDummyPrefix,
    unkId: specs.unkId,
    bosId: specs.bosId,
    eosId: specs.eosId,
  };
}

function parsePiece(reader: ProtobufReader, file: string, index: number): TokenizerPiece {
  let piece: string | null = null;
  let score = 0;
  let type: PieceType = 'normal';
  for (const f of reader.fields()) {
    if (f.number === PIECE_TEXT) piece = reader.string(f);
    else if (f.number === PIECE_SCORE) score = reader.float(f);
    else if (f.number === PIECE_TYPE) {
      const value = reader.int32(f);
      const known = PIECE_TYPES[value];
      if (known === undefined) {
        throw new ConvertError('TOKENIZER_INVALID', `${file}: piece ${index} has unknown type ${value}`, { file, field: `pieces[${index}].type` });
      }
      type = known;
    }
  }
  if (piece === null || piece.length === 0) {
    throw new ConvertError('TOKENIZER_INVALID', `${file}: piece ${index} has no text`, { file, field: `pieces[${index}].piece` });
  }
  if (!Number.isFinite(score)) {
    throw new ConvertError('TOKENIZER_INVALID', `${file}: piece ${index} (${JSON.stringify(piece)}) has score ${score}`, { file, field: `pieces[${index}].score` });
  }
  return { piece, score, type };
}
