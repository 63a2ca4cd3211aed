// The additive causal (and sliding-window) mask every engine applies, as plain
// values: one definition, so the engines agree on which keys a query sees.

/** Large negative for masked scores: finite, so a fully masked row could never turn into NaN. */
export const MASKED_SCORE = -1e30;

/**
 * Additive causal mask [Tq, Tk] for queries at absolute positions past..past+Tq-1 over
 * keys at positions 0..Tk-1: key j is visible from query position p when j <= p and, with a
 * sliding window w, p - j < w (transformers' sliding_window_overlay).
 */
export function causalMaskValues(queryLength: number, keyLength: number, pastLength: number, window: number | null): Float32Array {
  const out = new Float32Array(queryLength * keyLength);
  for (let t = 0; t < queryLength; t++) {
    const position = pastLength + t;
    for (let j = 0; j < keyLength; j++) {
      const visible = j <= position && (window === null || position - j < window);
      if (!visible) out[t * keyLength + j] = MASKED_SCORE;
    }
  }
  return out;
}
