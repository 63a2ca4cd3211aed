import { LLAMA2C_HEADER_BYTES } from './llama2c-header.js';
import type { Llama2cHeader } from './llama2c-header.js';

/** The fp32 arrays of a legacy llama2.c checkpoint, in file order. */
export type Llama2cArrayName =
  | 'token_embedding'
  | 'rms_att'
  | 'wq'
  | 'wk'
  | 'wv'
  | 'wo'
  | 'rms_ffn'
  | 'w1'
  | 'w2'
  | 'w3'
  | 'rms_final'
  | 'freq_cis_real'
  | 'freq_cis_imag'
  | 'wcls';

export interface Llama2cArray {
  name: Llama2cArrayName;
  /** Absolute byte offset in the file. */
  byteOffset: number;
  /** Shape as run.c indexes it; per-layer arrays have the layer as first axis. Linear weights are [out, in]. */
  shape: number[];
  /** Number of float32 elements. */
  length: number;
}

export interface Llama2cLayout {
  arrays: Llama2cArray[];
  /** Exact size a well-formed file has. */
  expectedFileBytes: number;
}

/**
 * Where each array lives, following llama2.c run.c `memory_map_weights`: wq is
 * (L, n_heads*head_size, dim), wk/wv (L, kv_dim, dim), wo (L, dim, n_heads*head_size),
 * w1/w3 (L, hidden, dim), w2 (L, dim, hidden); run.c's matmul reads W as (out, in)
 * row-major, like Hugging Face. The legacy freq_cis tables (seq_len * head_size/2
 * floats each) are skipped; the classifier follows only when vocab_size was negative.
 */
export function llama2cLayout(header: Llama2cHeader): Llama2cLayout {
  const { dim, hiddenDim, nLayers: L, vocabSize: V, seqLen, headSize, kvDim } = header;
  const qDim = header.nHeads * headSize;
  const shapes: Array<[Llama2cArrayName, number[]]> = [
    ['token_embedding', [V, dim]],
    ['rms_att', [L, dim]],
    ['wq', [L, qDim, dim]],
    ['wk', [L, kvDim, dim]],
    ['wv', [L, kvDim, dim]],
    ['wo', [L, dim, qDim]],
    ['rms_ffn', [L, dim]],
    ['w1', [L, hiddenDim, dim]],
    ['w2', [L, dim, hiddenDim]],
    ['w3', [L, hiddenDim, dim]],
    ['rms_final', [dim]],
    ['freq_cis_real', [seqLen, headSize / 2]],
    ['freq_cis_imag', [seqLen, headSize / 2]],
  ];
  if (!header.sharedClassifier) shapes.push(['wcls', [V, dim]]);
  const arrays: Llama2cArray[] = [];
  let offset = LLAMA2C_HEADER_BYTES;
  for (const [name, shape] of shapes) {
    const length = shape.reduce((a, b) => a * b, 1);
    arrays.push({ name, byteOffset: offset, shape, length });
    offset += length * 4;
  }
  return { arrays, expectedFileBytes: offset };
}

/** The array called `name`; throws if the layout has none (wcls of a shared classifier). */
export function layoutArray(layout: Llama2cLayout, name: Llama2cArrayName): Llama2cArray {
  const found = layout.arrays.find((a) => a.name === name);
  if (found === undefined) throw new RangeError(`llama2.c layout has no array "${name}"`);
  return found;
}
