// Public types of @layerprune/tensor-io. Other packages code against these.

/** safetensors dtypes this package understands. */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** One tensor's entry in a safetensors header. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** Offsets relative to the start of the data buffer, half-open [begin, end). */
  dataOffsets: [number, number];
  /** Absolute byte offset of the tensor's first byte in the file. */
  fileOffset: number;
  byteLength: number;
}

/** Typed array handed out for a dtype: floats always become Float32Array unless asked raw. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/**
 * A tensor to be written. `read()` is called once, when its bytes are due, so a
 * writer holds about one tensor in memory. A Uint8Array returned from `read()` is
 * taken as the raw little-endian bytes of `dtype` (this is how tensors are copied
 * without conversion); any other typed array is converted to `dtype`
 * (Float32Array/Float64Array to F32/F16/BF16/F64 with round-to-nearest-even).
 */
export interface TensorSource {
  name: string;
  dtype: DType;
  shape: number[];
  read(): Promise<ArrayBufferView> | ArrayBufferView;
}
