// Every failure of @layerprune/quant is a QuantError with a stable `code` and a
// message that names the tensor, the field and the limit involved, so the CLI can
// print one useful line and callers can branch on `code`.
import { LayerpruneError } from '@layerprune/safe-output';
import type { LayerpruneErrorDetails } from '@layerprune/safe-output';

export type QuantErrorCode =
  /** A weight holds NaN or +-Infinity (the message names the tensor and the flat index). */
  | 'NON_FINITE_WEIGHT'
  /** Block size outside 32..4096 or not a power of two (bitsandbytes kernels exist only for those). */
  | 'BLOCK_SIZE_OUT_OF_RANGE'
  /** A tensor forced into 4 bits whose element count is odd (two codes per byte cannot pack it). */
  | 'SHAPE_NOT_PACKABLE'
  /** Row-wise int8 or a row range on a tensor that is not a matrix. */
  | 'NOT_A_MATRIX'
  /** A quantization type other than nf4 / fp4 / int8, or a tensor dtype that is not floating point. */
  | 'UNSUPPORTED_TYPE'
  /** A requested element or row range lies outside the tensor. */
  | 'RANGE_OUT_OF_BOUNDS'
  /** A caller-provided output buffer is smaller than the values to write. */
  | 'OUTPUT_TOO_SMALL'
  /** Values and shape disagree (numel(shape) != values.length). */
  | 'SHAPE_MISMATCH'
  /** A serialized quantization state is incomplete or inconsistent. */
  | 'STATE_INVALID'
  /** The input model is already quantized. */
  | 'ALREADY_QUANTIZED'
  /** A tensor name that the weights do not contain. */
  | 'TENSOR_NOT_FOUND';

export interface QuantErrorDetails extends Pick<LayerpruneErrorDetails, 'file' | 'tensor' | 'field' | 'limit' | 'cause'> {
  /** Flat element index (non-finite weights). */
  index?: number;
}

export class QuantError extends LayerpruneError<QuantErrorCode> {
  readonly index?: number;

  constructor(code: QuantErrorCode, message: string, details: QuantErrorDetails = {}) {
    super(code, message, details);
    this.index = details.index;
  }
}

export function isQuantError(value: unknown): value is QuantError {
  return value instanceof QuantError;
}
