// llama2.c (like Meta's original Llama code) applies rotary embedding to
// INTERLEAVED pairs of each head: dimensions (2j, 2j+1) rotate together.
// Hugging Face Llama uses ROTATE-HALF: dimension j pairs with j + headSize/2.
// Both rotate pair j by the same angle pos * theta^(-2j/headSize), so the two
// layouts are the same network once the output rows of wq and wk are reordered
// inside every head. llama2.c's export.py goes HF -> llama2.c with
//   w.view(n_heads, 2, rows / n_heads / 2, cols).transpose(1, 2)
// i.e. interleaved row h*hs + 2j + r  <-  rotate-half row h*hs + r*hs/2 + j.
// The converter needs the inverse of that.

function checkShape(weights: Float32Array, nHeads: number, headSize: number, inFeatures: number): void {
  if (headSize % 2 !== 0) throw new RangeError(`head size ${headSize} is odd; rotary pairs need an even head size`);
  if (weights.length !== nHeads * headSize * inFeatures) {
    throw new RangeError(`weight has ${weights.length} values, expected ${nHeads} heads x ${headSize} x ${inFeatures}`);
  }
}

/**
 * Reorders the rows of a q or k projection ([nHeads * headSize, inFeatures],
 * row-major) from llama2.c's interleaved rotary layout to Hugging Face's
 * rotate-half layout: HF row h*hs + r*hs/2 + j = llama2.c row h*hs + 2j + r.
 */
export function interleavedToRotateHalf(weights: Float32Array, nHeads: number, headSize: number, inFeatures: number): Float32Array {
  checkShape(weights, nHeads, headSize, inFeatures);
  const out = new Float32Array(weights.length);
  const half = headSize / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      for (let r = 0; r < 2; r++) {
        const from = (h * headSize + 2 * j + r) * inFeatures;
        const to = (h * headSize + r * half + j) * inFeatures;
        out.set(weights.subarray(from, from + inFeatures), to);
      }
    }
  }
  return out;
}

/** The inverse of interleavedToRotateHalf (what llama2.c's export.py does on the way in). */
export function rotateHalfToInterleaved(weights: Float32Array, nHeads: number, headSize: number, inFeatures: number): Float32Array {
  checkShape(weights, nHeads, headSize, inFeatures);
  const out = new Float32Array(weights.length);
  const half = headSize / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      for (let r = 0; r < 2; r++) {
        const from = (h * headSize + r * half + j) * inFeatures;
        const to = (h * headSize + 2 * j + r) * inFeatures;
        out.set(weights.subarray(from, from + inFeatures), to);
      }
    }
  }
  return out;
}
