// Failures of loadTokenizer and of the tokenizer it returns, with a stable
// `code` and a message naming the file or token id involved.

export type TokenizerErrorCode = 'TOKENIZER_NOT_FOUND' | 'TOKENIZER_INVALID' | 'TOKENIZER_CONFIG_INVALID' | 'TOKEN_ID_OUT_OF_RANGE';

export class TokenizerError extends Error {
  readonly code: TokenizerErrorCode;
  readonly file?: string;
  readonly field?: string;

  constructor(code: TokenizerErrorCode, message: string, details: { file?: string; field?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TokenizerError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
  }
}
