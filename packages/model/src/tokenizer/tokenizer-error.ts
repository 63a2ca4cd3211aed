// Failures of loadTokenizer and of the tokenizer it returns, with a stable
// `code` and a message naming the file or token id involved.
import { LayerpruneError } from '@layerprune/safe-output';

export type TokenizerErrorCode = 'TOKENIZER_NOT_FOUND' | 'TOKENIZER_INVALID' | 'TOKENIZER_CONFIG_INVALID' | 'TOKEN_ID_OUT_OF_RANGE';

export class TokenizerError extends LayerpruneError<TokenizerErrorCode> {
  constructor(code: TokenizerErrorCode, message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    super(code, message, details);
  }
}
