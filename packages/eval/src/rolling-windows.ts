// The windows of lm-evaluation-harness `loglikelihood_rolling`: a document's
// tokens are predicted in disjoint chunks of at most `maxLength` tokens. The first
// window is conditioned on the prefix token (BOS) alone; every later window sees
// as much preceding text as fits (`get_rolling_token_windows` with context_len 1,
// then `make_disjoint_window`), so no token is scored twice.

export interface TokenWindow {
  /** Tokens the window is conditioned on (never scored). */
  context: number[];
  /** Tokens whose log-probabilities are summed. */
  continuation: number[];
}

/** `utils.get_rolling_token_windows` of the harness, as a list. */
export function rollingTokenWindows(
  tokens: readonly number[],
  prefixToken: number,
  maxLength: number,
  contextLength = 1,
): TokenWindow[] {
  if (!(contextLength >= 1 && contextLength <= maxLength)) {
    throw new RangeError(`contextLength ${contextLength} must be in [1, maxLength=${maxLength}]`);
  }
  const windows: TokenWindow[] = [];
  if (tokens.length === 0) return windows;
  const predictLength = maxLength - contextLength + 1;
  const firstLength = Math.min(maxLength, tokens.length);
  windows.push({ context: [prefixToken, ...tokens.slice(0, firstLength - 1)], continuation: tokens.slice(0, firstLength) });
  let predicted = firstLength;
  while (predicted < tokens.length) {
    const windowPredict = Math.min(tokens.length - predicted, predictLength);
    const windowEnd = predicted + windowPredict;
    windows.push({
      context: tokens.slice(windowEnd - maxLength - 1, windowEnd - 1),
      continuation: tokens.slice(windowEnd - windowPredict, windowEnd),
    });
    predicted += windowPredict;
  }
  return windows;
}

/** `utils.make_disjoint_window`: drop the context tokens that the continuation repeats. */
export function makeDisjointWindow(window: TokenWindow): TokenWindow {
  const { context, continuation } = window;
  return { context: context.slice(0, context.length - (continuation.length - 1)), continuation };
}

/** Disjoint rolling windows of a document, ready to be scored as continuations. */
export function documentWindows(tokens: readonly number[], prefixToken: number, maxLength: number): TokenWindow[] {
  return rollingTokenWindows(tokens, prefixToken, maxLength, 1).map(makeDisjointWindow);
}
