import { extname } from 'node:path';
import { ConvertError } from './convert-error.js';
import { TOKENIZER_LIMITS } from './limits.js';
import { readSmallInputFile } from './open-input-file.js';
import { parseLlama2cTokenizer } from './read-llama2c-tokenizer.js';
import { parseSentencePieceModel } from './read-sentencepiece-model.js';
import type { TokenizerPieces } from './tokenizer-pieces.js';

/**
 * Reads a llama2.c tokenizer `.bin` or a sentencepiece `.model`, chosen by the
 * extension (the two formats share no magic number to sniff reliably).
 */
export async function readTokenizerFile(path: string): Promise<TokenizerPieces> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.model' && ext !== '.bin') {
    throw new ConvertError('INVALID_ARGUMENT', `${path}: tokenizer must be a llama2.c tokenizer .bin or a sentencepiece .model (by extension)`, { file: path });
  }
  const bytes = await readSmallInputFile(path, TOKENIZER_LIMITS.maxFileBytes);
  const pieces = ext === '.model' ? parseSentencePieceModel(bytes, path) : parseLlama2cTokenizer(bytes, path);
  validateTokenizerPieces(pieces);
  return pieces;
}

/** Checks what the converter and run.c rely on: unique pieces, <unk>/<s>/</s> at 0/1/2. */
export function validateTokenizerPieces(tokenizer: TokenizerPieces): void {
  const file = tokenizer.source;
  const { pieces } = tokenizer;
  const seen = new Map<string, number>();
  pieces.forEach((p, id) => {
    const previous = seen.get(p.piece);
    if (previous !== undefined) {
      throw new ConvertError('TOKENIZER_INVALID', `${file}: pieces ${previous} and ${id} are both ${JSON.stringify(p.piece)}`, { file, field: `pieces[${id}]` });
    }
    seen.set(p.piece, id);
  });
  const expected: Array<[string, number, string]> = [
    ['unk', tokenizer.unkId, 'unknown'],
    ['bos', tokenizer.bosId, 'control'],
    ['eos', tokenizer.eosId, 'control'],
  ];
  expected.forEach(([role, id, type], wanted) => {
    if (id !== wanted || pieces[id]?.type !== type) {
      throw new ConvertError(
        'TOKENIZER_UNSUPPORTED',
        `${file}: ${role} is id ${id}${pieces[id] ? ` (${JSON.stringify(pieces[id].piece)}, type ${pieces[id].type})` : ''}; llama2.c models need unk 0, bos 1, eos 2 as in run.c`,
        { file, field: `${role}_id` },
      );
    }
  });
}
