// Public shapes of quantized tensors. They mirror bitsandbytes' QuantState (4-bit)
// and Int8Params (row-wise int8) field for field, so serialization is a renaming.
import type { FourBitType } from './code-tables.js';

/** torch dtype names as bitsandbytes writes them in `quant_state` (`str(dtype).strip("torch.")`). */
export type TorchDtypeName = 'float32' | 'float16' | 'bfloat16';

/** Every quantization this package does. */
export type QuantType = FourBitType | 'int8';

/**
 * Double quantization of the per-block absmax (bitsandbytes `compress_statistics`):
 * `absmax - offset` quantized blockwise to 8 bits with the signed dynamic map.
 */
export interface NestedAbsmax {
  /** One byte per 4-bit block (serialized as `weight.absmax`, U8). */
  readonly codes: Uint8Array;
  /** float32 absmax of each group of `blockSize` codes (`weight.nested_absmax`). */
  readonly absmax: Float32Array;
  /** The 256-value dynamic map (`weight.nested_quant_map`). */
  readonly quantMap: Float32Array;
  /** Codes per nested block: 256 in bitsandbytes (`nested_blocksize`). */
  readonly blockSize: number;
  /** float32 mean of the absmax values, subtracted before quantizing (`nested_offset`). */
  readonly offset: number;
}

/** A 4-bit quantized tensor, as bitsandbytes' `Params4bit` + `QuantState` hold it. */
export interface QuantState4bit {
  readonly quantType: FourBitType;
  readonly blockSize: number;
  /** The original tensor shape (`quant_state` `shape`). */
  readonly shape: readonly number[];
  readonly numel: number;
  /** dtype of the original weight (`quant_state` `dtype`). */
  readonly dtype: TorchDtypeName;
  /** ceil(numel / 2) bytes; element 2i in the HIGH nibble of byte i, 2i+1 in the low nibble. */
  readonly packed: Uint8Array;
  /** The 16-value code table (`weight.quant_map`). */
  readonly quantMap: Float32Array;
  /** float32 absmax per block when not double-quantized, else null. */
  readonly absmax: Float32Array | null;
  /** Double-quantized absmax, else null. */
  readonly nested: NestedAbsmax | null;
}

/** Row-wise absmax int8 (bitsandbytes LLM.int8 storage: `weight` I8 + `SCB` F32). */
export interface Int8RowwiseState {
  readonly quantType: 'int8';
  /** [rows, cols]. */
  readonly shape: readonly [number, number];
  readonly numel: number;
  readonly dtype: TorchDtypeName;
  /** round(w * 127 / rowAbsmax), row-major. */
  readonly weight: Int8Array;
  /** float32 absmax of each row (`SCB`). */
  readonly scb: Float32Array;
}

/** Either kind of quantized tensor. */
export type QuantizedState = QuantState4bit | Int8RowwiseState;

/** Where a dequantization writes and which rows it covers. */
export interface DequantizeOptions {
  /** Half-open row range [start, end) of the first dimension; default all rows. */
  rows?: readonly [number, number];
  /**
   * Reusable output buffer (at least as long as the values). The returned array is
   * a view of its first `length` entries, so no memory is allocated per call.
   */
  out?: Float32Array;
}
