import { ConvertError } from './convert-error.js';
import { TOKENIZER_LIMITS } from './limits.js';
import { bytePieceName, hasAllBytePieces } from './tokenizer-pieces.js';
import type { TokenizerPiece, TokenizerPieces } from './tokenizer-pieces.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a llama2.c tokenizer `.bin` (tokenizer.py `export`): uint32
 * max_token_length, then per token float32 score, uint32 byte length, bytes.
 * The export renamed BOS/EOS to "\n<s>\n"/"\n</s>\n" and "▁" to " "; this undoes
 * both. It keeps no piece types, so they are inferred the way sentencepiece
 * assigns them in a llama2.c vocabulary: 0 unknown, 1-2 control, `<0xXX>` byte.
 */
export function parseLlama2cTokenizer(bytes: Uint8Array, file: string): TokenizerPieces {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (code: 'TOKENIZER_INVALID' | 'TOKENIZER_TRUNCATED' | 'TOKENIZER_UNSUPPORTED', message: string, field?: string): never => {
    throw new ConvertError(code, `${file}: ${message}`, { file, field });
  };
  if (bytes.byteLength < 4) fail('TOKENIZER_TRUNCATED', `${bytes.byteLength} bytes, shorter than the 4-byte max_token_length`);
  const maxTokenLength = view.getUint32(0, true);
  if (maxTokenLength < 1 || maxTokenLength > TOKENIZER_LIMITS.maxPieceBytes) {
    fail('TOKENIZER_INVALID', `max_token_length ${maxTokenLength} is outside [1, ${TOKENIZER_LIMITS.maxPieceBytes}]; not a llama2.c tokenizer`, 'max_token_length');
  }
  const texts: string[] = [];
  const scores: number[] = [];
  let pos = 4;
  while (pos < bytes.byteLength) {
    const id = texts.length;
    if (id >= TOKENIZER_LIMITS.maxPieces) fail('TOKENIZER_INVALID', `more than ${TOKENIZER_LIMITS.maxPieces} tokens`);
    if (pos + 8 > bytes.byteLength) fail('TOKENIZER_TRUNCATED', `ends inside the score/length of token ${id} (byte ${pos})`, `tokens[${id}]`);
    const score = view.getFloat32(pos, true);
    const length = view.getUint32(pos + 4, true);
    pos += 8;
    if (!Number.isFinite(score)) fail('TOKENIZER_INVALID', `token ${id} has score ${score}`, `tokens[${id}].score`);
    if (length < 1 || length > maxTokenLength) {
      fail('TOKENIZER_INVALID', `token ${id} has length ${length}, outside [1, max_token_length ${maxTokenLength}]`, `tokens[${id}].length`);
    }
    if (pos + length > bytes.byteLength) fail('TOKENIZER_TRUNCATED', `token ${id} needs ${length} bytes at byte ${pos}, past the end (${bytes.byteLength})`, `tokens[${id}]`);
    let text: string;
    try {
      text = UTF8.decode(bytes.subarray(pos, pos + length));
    } catch {
      return fail('TOKENIZER_INVALID', `token ${id} at byte ${pos} is not valid UTF-8`, `tokens[${id}]`);
    }
    texts.push(text);
    scores.push(score);
    pos += length;
  }
  if (texts.length < 3) fail('TOKENIZER_INVALID', `${texts.length} tokens; a llama2.c vocabulary starts with <unk>, <s>, </s>`);
  const expectSpecial = (id: number, accepted: string[]): void => {
    if (!accepted.includes(texts[id])) {
      fail('TOKENIZER_UNSUPPORTED', `token ${id} is ${JSON.stringify(texts[id])}, expected ${accepted.map((a) => JSON.stringify(a)).join(' or ')} (run.c assumes unk 0, bos 1, eos 2)`, `tokens[${id}]`);
    }
  };
  expectSpecial(0, ['<unk>']);
  expectSpecial(1, ['\n<s>\n', '<s>']);
  expectSpecial(2, ['\n</s>\n', '</s>']);

  // A short-lived llama2.c export wrote byte pieces as the raw character chr(b)
  // instead of "<0xXX>"; such a vocabulary has chr(0..255) at ids 3..258.
  const rawBytePieces = texts.length >= 259 && texts.slice(3, 259).every((t, b) => t === String.fromCharCode(b));

  const pieces: TokenizerPiece[] = texts.map((text, id) => {
    const score = scores[id];
    if (id === 0) return { piece: '<unk>', score, type: 'unknown' };
    if (id === 1) return { piece: '<s>', score, type: 'control' };
    if (id === 2) return { piece: '</s>', score, type: 'control' };
    if (rawBytePieces && id >= 3 && id < 259) return { piece: bytePieceName(id - 3), score, type: 'byte' };
    if (/^<0x[0-9A-F]{2}>$/.test(text)) return { piece: text, score, type: 'byte' };
    // sentencepiece pieces never contain a plain space: the export turned "▁" into " ".
    return { piece: text.replaceAll(' ', '\u2581'), score, type: 'normal' };
  });
  return {
    source: file,
    format: 'llama2c-bin',
    pieces,
    byteFallback: hasAllBytePieces(pieces),
    addDummyPrefix: true, // run.c's encode always prepends " "
    unkId: 0,
    bosId: 1,
    eosId: 2,
  };
}
