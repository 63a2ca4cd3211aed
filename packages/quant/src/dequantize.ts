import { dequantize4bit } from './dequantize-4bit.js';
import { dequantizeInt8Rowwise } from './dequantize-int8-rowwise.js';
import type { DequantizeOptions, QuantizedState } from './types.js';

/** Dequantizes any quantized state (4-bit or row-wise int8), whole or by row range. */
export function dequantize(state: QuantizedState, options: DequantizeOptions = {}): Float32Array {
  return state.quantType === 'int8' ? dequantizeInt8Rowwise(state, options) : dequantize4bit(state, options);
}
