// Streams tensors into one safetensors file: the header is computed from the
// declared dtypes and shapes up front, then each source's read() is awaited
// and written in turn, so peak memory is about one tensor. The file is written
// under a temporary name and renamed when complete.
import { sourceToBytes } from './dtype-codec.js';
import { TensorIoError } from './errors.js';
import { MAX_TENSOR_RANK } from './limits.js';
import { writeAll } from './positioned-io.js';
import { DTYPE_BYTES } from './types.js';
import type { TensorSource } from './types.js';
import { withAtomicFile } from './write-file-atomic.js';

export interface WriteSafetensorsOptions {
  /** Stored as `__metadata__` (string values only, like the reference implementation). */
  metadata?: Record<string, string>;
}

export interface SafetensorsLayout {
  /** Header bytes including the 8-byte length prefix, padded with spaces to a multiple of 8. */
  header: Uint8Array;
  /** Byte length of each tensor, in `tensors` order. */
  byteLengths: number[];
  /** Size of the whole file. */
  fileSize: number;
}

/** Byte length of a tensor of `shape` and `dtype`, validating both. */
export function tensorByteLength(source: Pick<TensorSource, 'name' | 'dtype' | 'shape'>, file: string): number {
  const { name, dtype, shape } = source;
  if (!Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new TensorIoError('UNKNOWN_DTYPE', `${file}: tensor "${name}": dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(DTYPE_BYTES).join(', ')}`, {
      file,
      tensor: name,
      field: 'dtype',
    });
  }
  if (!Array.isArray(shape) || shape.length > MAX_TENSOR_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TensorIoError('INVALID_SHAPE', `${file}: tensor "${name}": shape must be at most ${MAX_TENSOR_RANK} non-negative integers`, {
      file,
      tensor: name,
      field: 'shape',
      limit: MAX_TENSOR_RANK,
    });
  }
  const bytes = shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(bytes)) {
    throw new TensorIoError('INVALID_SHAPE', `${file}: tensor "${name}": shape [${shape.join(', ')}] is too large to address`, {
      file,
      tensor: name,
      field: 'shape',
    });
  }
  return bytes;
}

/** Computes the header and sizes for `tensors` (validates names, dtypes, shapes and metadata). */
export function planSafetensorsLayout(tensors: readonly TensorSource[], metadata: Record<string, string> | undefined, file: string): SafetensorsLayout {
  const entries: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') {
        throw new TensorIoError('INVALID_METADATA', `${file}: metadata value "${key}" must be a string, got ${typeof value}`, {
          file,
          field: `__metadata__.${key}`,
        });
      }
    }
    entries.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const seen = new Set<string>();
  const byteLengths: number[] = [];
  let offset = 0;
  for (const source of tensors) {
    const { name } = source;
    if (typeof name !== 'string' || name === '__metadata__') {
      throw new TensorIoError('INVALID_ARGUMENT', `${file}: ${JSON.stringify(name)} is not a valid tensor name`, { file, tensor: String(name) });
    }
    if (seen.has(name)) {
      throw new TensorIoError('DUPLICATE_TENSOR', `${file}: tensor "${name}" is given more than once`, { file, tensor: name });
    }
    seen.add(name);
    const byteLength = tensorByteLength(source, file);
    byteLengths.push(byteLength);
    const entry = { dtype: source.dtype, shape: source.shape, data_offsets: [offset, offset + byteLength] };
    // Built as text, not as an object, so a tensor named "__proto__" stays an ordinary key.
    entries.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    offset += byteLength;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  // Pad with spaces (as the Rust safetensors does) so the data buffer starts 8-byte aligned.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(8 + headerLength).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(headerLength), true);
  header.set(json, 8);
  return { header, byteLengths, fileSize: header.length + offset };
}

/** Writes `tensors` to `path` (atomically), calling each source's read() once, in order. */
export async function writeSafetensors(
  path: string,
  tensors: TensorSource[],
  options: WriteSafetensorsOptions = {},
): Promise<{ path: string; bytes: number }> {
  const layout = planSafetensorsLayout(tensors, options.metadata, path);
  await withAtomicFile(path, async (handle) => {
    await writeAll(handle, layout.header, 0);
    let position = layout.header.length;
    for (let i = 0; i < tensors.length; i++) {
      const source = tensors[i];
      const context = `${path}: tensor "${source.name}"`;
      const bytes = sourceToBytes(await source.read(), source.dtype, context);
      if (bytes.length !== layout.byteLengths[i]) {
        throw new TensorIoError(
          'DATA_MISMATCH',
          `${context}: read() gave ${bytes.length} bytes as ${source.dtype} but shape [${source.shape.join(', ')}] needs ${layout.byteLengths[i]}`,
          { file: path, tensor: source.name, limit: layout.byteLengths[i] },
        );
      }
      await writeAll(handle, bytes, position);
      position += bytes.length;
    }
  });
  return { path, bytes: layout.fileSize };
}
