export { QuantError } from './errors.js';
export type { QuantErrorCode, QuantErrorDetails } from './errors.js';
export { NF4_CODE, FP4_CODE, NF4_THRESHOLDS, FP4_MAGNITUDE_THRESHOLDS } from './code-tables.js';
export type { FourBitType } from './code-tables.js';
export type {
  TorchDtypeName,
  QuantType,
  NestedAbsmax,
  QuantState4bit,
  Int8RowwiseState,
  QuantizedState,
  DequantizeOptions,
} from './types.js';
export { quantize4bitValue } from './quantize-4bit-value.js';
export { quantize4bit } from './quantize-4bit.js';
export type { Quantize4bitOptions } from './quantize-4bit.js';
export { dequantize4bit } from './dequantize-4bit.js';
export { absmaxOf } from './absmax-of.js';
export { createDynamicMap } from './dynamic-map.js';
export { quantizeBlockwise8bit } from './quantize-blockwise-8bit.js';
export type { Blockwise8bit } from './quantize-blockwise-8bit.js';
export { dequantizeBlockwise8bit } from './dequantize-blockwise-8bit.js';
export { doubleQuantizeAbsmax } from './double-quantize-absmax.js';
export { quantizeInt8Rowwise } from './quantize-int8-rowwise.js';
export type { QuantizeInt8Options } from './quantize-int8-rowwise.js';
export { dequantizeInt8Rowwise } from './dequantize-int8-rowwise.js';
export { dequantize } from './dequantize.js';
export { measureQuantError } from './measure-quant-error.js';
export type { QuantErrorStats } from './measure-quant-error.js';
export { pythonFloatRepr } from './python-float-repr.js';
export { packQuantStateJson, parseQuantStateJson } from './quant-state-json.js';
export type { QuantStateJson } from './quant-state-json.js';
export { fourBitTensorNames, int8TensorNames } from './bnb-tensor-names.js';
export type { FourBitTensorNames, Int8TensorNames } from './bnb-tensor-names.js';
export { quantizedTensorSources } from './quantized-tensor-sources.js';
export { readFourBitState, readInt8State } from './read-quantized-state.js';
export type { RawTensorStore } from './read-quantized-state.js';
export { bitsandbytesQuantizationConfig, parseQuantizationConfig } from './quantization-config.js';
export type { QuantizationConfigOptions, QuantizationInfo } from './quantization-config.js';
export { tensorCategory } from './tensor-category.js';
export type { TensorCategory } from './tensor-category.js';
export { planQuantization } from './plan-quantization.js';
export type { QuantizationSelection, PlannedTensor } from './plan-quantization.js';
export { quantizeModelDir } from './quantize-model-dir.js';
export type { QuantizeModelOptions, QuantizeModelResult, TensorReport } from './quantize-model-dir.js';
export { openQuantizedWeights } from './open-quantized-weights.js';
export type { QuantizedWeights, LoadedWeight, WeightEntry, WeightKind } from './open-quantized-weights.js';
export { isQuantizedModelDir } from './is-quantized-model-dir.js';
