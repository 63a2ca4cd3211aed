// Conversions between the raw little-endian bytes of a safetensors tensor and
// the typed arrays handed to callers. Zero-copy wherever the bytes are aligned
// and the host is little-endian; a copy otherwise (a tensor's offset in a file
// written by another tool need not be a multiple of its element size).
import { TensorIoError } from './errors.js';
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from './host-endianness.js';
import { bf16BitsToFloat32, f16BitsToFloat32, float32ToBf16Bits, float32ToF16Bits } from './half-float.js';
import { DTYPE_BYTES } from './types.js';
import type { DType, TensorArray } from './types.js';

type ArrayCtor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** Views `bytes` as `ctor` elements in host order, copying when misaligned or on a big-endian host. */
function viewAs<T>(bytes: Uint8Array, ctor: ArrayCtor<T>): T {
  const size = ctor.BYTES_PER_ELEMENT;
  let source = bytes;
  if (bytes.byteOffset % size !== 0 || (!HOST_IS_LITTLE_ENDIAN && size > 1)) {
    source = bytes.slice();
    if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(source, size);
  }
  return new ctor(source.buffer, source.byteOffset, source.length / size);
}

function checkWholeElements(bytes: Uint8Array, dtype: DType, context: string): void {
  if (bytes.length % DTYPE_BYTES[dtype] !== 0) {
    throw new TensorIoError(
      'DATA_MISMATCH',
      `${context}: ${bytes.length} bytes is not a whole number of ${dtype} elements (${DTYPE_BYTES[dtype]} bytes each)`,
      { limit: DTYPE_BYTES[dtype] },
    );
  }
}

/**
 * Raw little-endian bytes -> the natural typed array of `dtype`: F16/BF16/F32 ->
 * Float32Array, F64 -> Float64Array, integers -> their arrays, BOOL -> Uint8Array.
 * May share memory with `bytes` (F32, F64 and integers when aligned).
 */
export function bytesToTensorArray(bytes: Uint8Array, dtype: DType, context = 'tensor'): TensorArray {
  checkWholeElements(bytes, dtype, context);
  switch (dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return decodeToFloat32(bytes, dtype);
    case 'F64':
      return viewAs(bytes, Float64Array);
    case 'I64':
      return viewAs(bytes, BigInt64Array);
    case 'I32':
      return viewAs(bytes, Int32Array);
    case 'I16':
      return viewAs(bytes, Int16Array);
    case 'I8':
      return viewAs(bytes, Int8Array);
    case 'U8':
    case 'BOOL':
      return bytes;
  }
}

/**
 * Raw little-endian bytes of a float dtype -> Float32Array. F32 input may be
 * returned as a view sharing memory with `bytes`; F64 is rounded to float32.
 * Integer dtypes are refused (DATA_MISMATCH): silently turning token ids or
 * quantized codes into floats hides bugs.
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: DType, context = 'tensor'): Float32Array {
  checkWholeElements(bytes, dtype, context);
  switch (dtype) {
    case 'F32':
      return viewAs(bytes, Float32Array);
    case 'F16':
      return f16BitsToFloat32(viewAs(bytes, Uint16Array), new Float32Array(bytes.length / 2));
    case 'BF16':
      return bf16BitsToFloat32(viewAs(bytes, Uint16Array), new Float32Array(bytes.length / 2));
    case 'F64':
      return Float32Array.from(viewAs(bytes, Float64Array));
    default:
      throw new TensorIoError('DATA_MISMATCH', `${context}: dtype ${dtype} is not a float dtype; cannot read as float32`);
  }
}

function hostBytes(view: ArrayBufferView, elementBytes: number): Uint8Array {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (HOST_IS_LITTLE_ENDIAN || elementBytes === 1) return bytes;
  const copy = bytes.slice();
  swapBytesInPlace(copy, elementBytes);
  return copy;
}

/**
 * Float32 values -> little-endian bytes of F32, F16 or BF16 (round to nearest,
 * ties to even). F32 output shares memory with `values` on little-endian hosts.
 */
export function encodeFromFloat32(values: Float32Array, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  if (dtype === 'F32') return hostBytes(values, 4);
  let source = values;
  if (values.byteOffset % 4 !== 0) source = values.slice();
  const out = new Uint16Array(values.length);
  if (dtype === 'F16') float32ToF16Bits(source, out);
  else if (dtype === 'BF16') float32ToBf16Bits(source, out);
  else throw new TensorIoError('INVALID_ARGUMENT', `encodeFromFloat32: target dtype must be F32, F16 or BF16, got ${String(dtype)}`);
  return hostBytes(out, 2);
}

function typedArrayName(view: ArrayBufferView): string {
  return view.constructor?.name ?? 'ArrayBufferView';
}

/**
 * The bytes to write for one tensor, given what its source's `read()` returned:
 * a Uint8Array/DataView is taken as raw bytes of `dtype`; a Float32Array or
 * Float64Array is converted to a float dtype; an integer array must match its dtype.
 */
export function sourceToBytes(view: ArrayBufferView, dtype: DType, context: string): Uint8Array {
  const mismatch = (): TensorIoError =>
    new TensorIoError('DATA_MISMATCH', `${context}: cannot write a ${typedArrayName(view)} as dtype ${dtype}`);
  if (view instanceof Uint8Array) return view;
  if (view instanceof DataView) return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  if (view instanceof Float32Array) {
    if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') return encodeFromFloat32(view, dtype);
    if (dtype === 'F64') return hostBytes(Float64Array.from(view), 8);
    throw mismatch();
  }
  if (view instanceof Float64Array) {
    if (dtype === 'F64') return hostBytes(view, 8);
    // F64 -> F16/BF16 goes through float32; double rounding can differ from a direct
    // rounding by one ulp in rare ties, which is immaterial for model weights.
    if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') return encodeFromFloat32(Float32Array.from(view), dtype);
    throw mismatch();
  }
  if (view instanceof BigInt64Array && dtype === 'I64') return hostBytes(view, 8);
  if (view instanceof Int32Array && dtype === 'I32') return hostBytes(view, 4);
  if (view instanceof Int16Array && dtype === 'I16') return hostBytes(view, 2);
  if (view instanceof Int8Array && dtype === 'I8') return hostBytes(view, 1);
  throw mismatch();
}
