// Tokenising a (context, continuation) request exactly like lm-evaluation-harness
// `HFLM._encode_pair` + `loglikelihood`: trailing whitespace of the context moves
// to the front of the continuation, context+continuation is encoded in one piece
// and split at the length of the encoded context, so the continuation's tokens are
// the ones the model really sees after that context (a SentencePiece "▁A" rather
// than "▁" + "A"). An empty context becomes the prefix token (BOS, else EOS).
import { EvalError } from './eval-error.js';
import type { EvalTokenizer } from './model-interface.js';

export interface EncodedPair {
  context: number[];
  continuation: number[];
}

export interface EncodePairOptions {
  /**
   * Prepend BOS to the context. The harness delegates this to the tokenizer since
   * v0.4.10 (Llama tokenizers add BOS); before that it never added it. Default true.
   */
  addBos?: boolean;
}

/** The token the harness puts before a text that has no context: BOS, else EOS. */
export function prefixTokenId(tokenizer: EvalTokenizer): number {
  const id = tokenizer.bosId ?? tokenizer.eosId;
  if (id === null) {
    throw new EvalError('INVALID_OPTION', 'the tokenizer has neither a BOS nor an EOS token to condition the first token on', {
      field: 'bosId',
    });
  }
  return id;
}

export function encodePair(
  tokenizer: EvalTokenizer,
  context: string,
  continuation: string,
  options: EncodePairOptions = {},
): EncodedPair {
  const addBos = options.addBos ?? true;
  if (context === '') {
    return { context: [prefixTokenId(tokenizer)], continuation: tokenizer.encode(continuation, { addBos: false }) };
  }
  const trimmed = context.replace(/\s+$/u, '');
  const spaces = context.slice(trimmed.length);
  const ctxText = trimmed;
  const contText = spaces + continuation;
  // A whitespace-only context has no tokens of its own: condition on the prefix token.
  if (ctxText === '') return { context: [prefixTokenId(tokenizer)], continuation: tokenizer.encode(contText, { addBos: false }) };
  const whole = tokenizer.encode(ctxText + contText, { addBos: false });
  const ctx = tokenizer.encode(ctxText, { addBos: false });
  const cont = whole.slice(ctx.length);
  const prefix = addBos && tokenizer.bosId !== null ? [tokenizer.bosId] : [];
  return { context: prefix.length > 0 ? [...prefix, ...ctx] : ctx, continuation: cont };
}
