export { loadTokenizer } from './load-tokenizer.js';
export type { Tokenizer } from './load-tokenizer.js';
export { TokenizerError } from './tokenizer-error.js';
export type { TokenizerErrorCode } from './tokenizer-error.js';
