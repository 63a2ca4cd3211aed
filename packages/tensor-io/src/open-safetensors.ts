// Opens a safetensors file for random access. Opening reads only the 8-byte
// length and the JSON header; each tensor is read later by one positioned read
// into its own fresh buffer, so opening a 10 GB file costs a few kilobytes of
// I/O and reading holds about one tensor in memory.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { halfReadTarget, widenHalfInPlace } from './decode-half-in-place.js';
import { bytesToTensorArray, decodeToFloat32 } from './dtype-codec.js';
import { TensorIoError } from './errors.js';
import { fsError } from './fs-error.js';
import { MAX_TENSOR_BYTES, SAFETENSORS_MAX_HEADER_BYTES } from './limits.js';
import { parseSafetensorsHeader, readHeaderLength } from './parse-safetensors-header.js';
import { readExactly } from './positioned-io.js';
import type { TensorArray, TensorInfo } from './types.js';

export interface SafetensorsReader {
  readonly path: string;
  readonly fileSize: number;
  /** N, the JSON header length in bytes. */
  readonly headerLength: number;
  /** 8 + N: file offset of the data buffer. */
  readonly dataStart: number;
  /** In data-offset order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** TENSOR_NOT_FOUND if absent. */
  info(name: string): TensorInfo;
  /**
   * The tensor's exact little-endian bytes, in a buffer of its own, or in the
   * first byteLength bytes of `into` (returned as a subarray) so callers that
   * load layer after layer can reuse one buffer: fresh memory is slow to touch.
   */
  readRaw(name: string, into?: Uint8Array): Promise<Uint8Array>;
  /** F16/BF16/F32 -> Float32Array, F64 -> Float64Array, integers -> their arrays, BOOL -> Uint8Array. */
  read(name: string): Promise<TensorArray>;
  /** Any float dtype -> Float32Array; integer dtypes are refused with DATA_MISMATCH. */
  readFloat32(name: string): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface OpenSafetensorsOptions {
  /** Refuse headers longer than this (default SAFETENSORS_MAX_HEADER_BYTES). */
  maxHeaderBytes?: number;
}

class FileSafetensorsReader implements SafetensorsReader {
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly fileSize: number,
    readonly headerLength: number,
    readonly dataStart: number,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) {
      throw new TensorIoError('TENSOR_NOT_FOUND', `${this.path}: no tensor named "${name}" (file has ${this.tensors.size} tensors)`, {
        file: this.path,
        tensor: name,
      });
    }
    return info;
  }

  async readRaw(name: string, into?: Uint8Array): Promise<Uint8Array> {
    const info = this.info(name);
    if (into !== undefined && into.length < info.byteLength) {
      throw new TensorIoError(
        'INVALID_ARGUMENT',
        `${this.path}: tensor "${name}" is ${info.byteLength} bytes but the buffer given to readRaw holds ${into.length}`,
        { file: this.path, tensor: name, limit: into.length },
      );
    }
    if (this.closed) {
      throw new TensorIoError('READ_FAILED', `${this.path}: cannot read tensor "${name}": the reader is closed`, { file: this.path, tensor: name });
    }
    if (info.byteLength > MAX_TENSOR_BYTES) {
      throw new TensorIoError(
        'TENSOR_TOO_LARGE',
        `${this.path}: tensor "${name}" is ${info.byteLength} bytes, more than one buffer can hold (limit ${MAX_TENSOR_BYTES})`,
        { file: this.path, tensor: name, limit: MAX_TENSOR_BYTES },
      );
    }
    // A fresh ArrayBuffer starts at offset 0, so typed views over it are always aligned.
    const bytes = into === undefined ? new Uint8Array(info.byteLength) : into.subarray(0, info.byteLength);
    try {
      await readExactly(this.handle, bytes, info.fileOffset, this.path, name);
    } catch (cause) {
      throw fsError(cause, this.path, 'read', name);
    }
    return bytes;
  }

  async read(name: string): Promise<TensorArray> {
    const info = this.info(name);
    return bytesToTensorArray(await this.readRaw(name), info.dtype, `${this.path}: tensor "${name}"`);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    const info = this.info(name);
    if (info.dtype !== 'F32' && info.dtype !== 'F16' && info.dtype !== 'BF16' && info.dtype !== 'F64') {
      throw new TensorIoError('DATA_MISMATCH', `${this.path}: tensor "${name}" has integer dtype ${info.dtype}; cannot read it as float32`, {
        file: this.path,
        tensor: name,
        field: 'dtype',
      });
    }
    // (A float32 output beyond one buffer's limit goes the general way, which refuses it with TENSOR_TOO_LARGE or the allocation error.)
    if ((info.dtype === 'F16' || info.dtype === 'BF16') && 2 * info.byteLength <= MAX_TENSOR_BYTES) {
      // Read into the output's own memory: no second buffer the size of the raw tensor.
      const target = halfReadTarget(info.byteLength / 2);
      if (target) return widenHalfInPlace(target.out, await this.readRaw(name, target.raw), info.dtype);
    }
    return decodeToFloat32(await this.readRaw(name), info.dtype, `${this.path}: tensor "${name}"`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Opens and validates `path`; reads no tensor data. */
export async function openSafetensors(path: string, options: OpenSafetensorsOptions = {}): Promise<SafetensorsReader> {
  const maxHeaderBytes = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw fsError(cause, path, 'read');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new TensorIoError('READ_FAILED', `${path}: not a regular file`, { file: path });
    }
    const fileSize = stats.size;
    const prefix = new Uint8Array(8);
    if (fileSize >= 8) await readExactly(handle, prefix, 0, path);
    const headerLength = readHeaderLength(prefix, fileSize, path, maxHeaderBytes);
    const headerBytes = new Uint8Array(headerLength);
    await readExactly(handle, headerBytes, 8, path);
    const parsed = parseSafetensorsHeader(headerBytes, fileSize, path);
    return new FileSafetensorsReader(handle, path, fileSize, headerLength, parsed.dataStart, parsed.tensors, parsed.metadata);
  } catch (cause) {
    await handle.close().catch(() => undefined);
    throw fsError(cause, path, 'read');
  }
}
