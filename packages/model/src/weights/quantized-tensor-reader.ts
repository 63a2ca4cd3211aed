// A bitsandbytes-quantized directory (written by `layerprune quantize` /
// @layerprune/quant's quantizeModelDir, or by transformers + bitsandbytes) as the
// model runtime sees it: @layerprune/quant's openQuantizedWeights gives every
// logical tensor (the packed codes, absmax, maps, quant_state, SCB hidden behind
// their weight) with its logical shape, and dequantizes it to float32 when read.
// The same HfWeightProvider serves dense and quantized directories: only the
// TensorReader differs. A fused Phi-3 tensor (qkv_proj, gate_up_proj) is one
// quantized tensor, read whole here; the provider splits it into its modules by
// rows (block-linears.ts: packed too when the rows start on absmax blocks).
import { absmaxOf, type QuantizedWeights } from '@layerprune/quant';
import { validateModelWeights, type ModelWeightsView } from '@layerprune/architectures';
import type { TensorReader } from './tensor-reader.js';

/**
 * Logical names and shapes; `readFloat32` dequantizes the whole tensor on each
 * call (NF4 / FP4 / int8, double-quantized or not) into a fresh array, so the
 * provider may keep it (`reusesArrays` stays false).
 */
export function readerFromQuantizedWeights(weights: QuantizedWeights, source: string = weights.dir): TensorReader {
  return {
    source,
    has: (name) => weights.has(name),
    shape: (name) => weights.entry(name).shape,
    readFloat32: (name) => weights.readFloat32(name),
    async readPacked4bit(name) {
      if (weights.entry(name).kind === 'dense' || weights.entry(name).kind === 'int8') return null;
      const loaded = await weights.load(name);
      if (loaded.kind !== 'nf4' && loaded.kind !== 'fp4') return null;
      const { state } = loaded;
      return { quantType: loaded.kind, blockSize: state.blockSize, packed: state.packed, absmax: absmaxOf(state) };
    },
  };
}

/**
 * The directory with every quantized weight replaced by its logical float32
 * tensor: the view tensor-io's validation checks against config.json as it
 * checks a dense directory.
 */
function logicalView(weights: QuantizedWeights): ModelWeightsView {
  const model = weights.model;
  const rawConfig = { ...model.rawConfig };
  delete rawConfig.quantization_config;
  return {
    dir: model.dir,
    config: model.config,
    rawConfig,
    weights: {
      sharded: model.weights.sharded,
      files: model.weights.files,
      names: () => weights.names(),
      info: (name) => {
        const entry = weights.entry(name);
        const stored = model.weights.info(name);
        return entry.kind === 'dense' ? stored : { ...stored, dtype: 'F32', shape: entry.shape };
      },
    },
  };
}

/**
 * Checks the logical tensors (names, and the shapes recorded in each 4-bit
 * quant_state or int8 weight) against config.json with tensor-io's
 * validateModelWeights: the TensorIoError codes and messages of a dense
 * directory (TENSOR_MISSING, SHAPE_MISMATCH, TENSOR_UNEXPECTED, ... naming the
 * tensor). Reads no tensor data.
 */
export function validateQuantizedWeights(weights: QuantizedWeights): void {
  validateModelWeights(logicalView(weights));
}
