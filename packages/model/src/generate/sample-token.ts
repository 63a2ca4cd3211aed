// Picks the next token from logits: greedy at temperature 0, otherwise a sample
// from softmax(logits / temperature), optionally restricted to the nucleus
// (top-p) the way llama2.c's sample_topp does it.

export interface SamplingOptions {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** In (0, 1]; 1 = no nucleus truncation. */
  topP: number;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function softmax(logits: ArrayLike<number>, temperature: number): Float64Array {
  const probs = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    probs[i] = Math.exp(logits[i] / temperature - max);
    sum += probs[i];
  }
  for (let i = 0; i < probs.length; i++) probs[i] /= sum;
  return probs;
}

function sampleFull(probs: Float64Array, r: number): number {
  let cdf = 0;
  for (let i = 0; i < probs.length; i++) {
    cdf += probs[i];
    if (r < cdf) return i;
  }
  return probs.length - 1;
}

function sampleTopP(probs: Float64Array, topP: number, r: number): number {
  // Tokens below (1 - topP) / (n - 1) can never be in the nucleus: drop them before sorting.
  const cutoff = (1 - topP) / (probs.length - 1);
  const candidates: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i] >= cutoff) candidates.push(i);
  candidates.sort((a, b) => probs[b] - probs[a] || a - b);
  let cumulative = 0;
  let last = candidates.length - 1;
  for (let i = 0; i < candidates.length; i++) {
    cumulative += probs[candidates[i]];
    if (cumulative > topP) {
      last = i;
      break;
    }
  }
  const target = r * cumulative;
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf += probs[candidates[i]];
    if (target < cdf) return candidates[i];
  }
  return candidates[last];
}

export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, random: () => number): number {
  if (options.temperature === 0) return argmax(logits);
  const probs = softmax(logits, options.temperature);
  const r = random();
  return options.topP > 0 && options.topP < 1 ? sampleTopP(probs, options.topP, r) : sampleFull(probs, r);
}
