import { Tokenizer } from '@huggingface/tokenizers';
import { ConvertError } from './convert-error.js';
import type { TokenizerPieces } from './tokenizer-pieces.js';

/**
 * Loads the generated tokenizer.json with @huggingface/tokenizers and checks
 * that text made of the vocabulary's own pieces (plus non-ASCII text when byte
 * fallback can spell it) round-trips, so a broken tokenizer fails the
 * conversion instead of the first run of the converted model.
 */
export function checkTokenizerLoads(tokenizerJson: object, tokenizerConfig: object, pieces: TokenizerPieces): void {
  const source = pieces.source;
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (cause) {
    throw new ConvertError('TOKENIZER_INVALID', `${source}: the generated tokenizer.json does not load: ${(cause as Error).message}`, { file: source, cause });
  }
  const surface = pieces.pieces
    .filter((p) => p.type === 'normal')
    .slice(0, 32)
    .map((p) => p.piece.replaceAll('\u2581', ' '))
    .join('')
    // The decoder strips the one space the normalizer prepends, not more.
    .trimStart();
  const sample = pieces.byteFallback ? `${surface} naïve 日本 🦙` : surface;
  const ids = tokenizer.encode(sample, { add_special_tokens: false }).ids;
  const decoded = ids.length === 0 ? '' : tokenizer.decode(ids);
  if (decoded !== sample) {
    throw new ConvertError('TOKENIZER_INVALID', `${source}: the generated tokenizer decodes ${JSON.stringify(sample)} back as ${JSON.stringify(decoded)}`, { file: source });
  }
}
