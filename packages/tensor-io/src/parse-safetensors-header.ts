// Parses and validates a safetensors header: 8-byte little-endian length N,
// then N bytes of UTF-8 JSON. Pure (no I/O), so it runs on a file's first
// bytes and on in-memory buffers alike (the fuzz test drives it directly).
import { TensorIoError } from './errors.js';
import { findDuplicateJsonKey } from './find-duplicate-json-key.js';
import { MAX_TENSOR_RANK, SAFETENSORS_MAX_HEADER_BYTES } from './limits.js';
import { DTYPE_BYTES } from './types.js';
import type { DType, TensorInfo } from './types.js';

export interface ParsedSafetensorsHeader {
  headerLength: number;
  dataStart: number;
  /** In data-offset order. */
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads and bounds-checks N from the first 8 bytes of a file of `fileSize` bytes. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string, maxHeaderBytes: number): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new TensorIoError('FILE_TOO_SMALL', `${file}: ${fileSize} bytes is too small for a safetensors file (needs at least 8)`, {
      file,
      limit: 8,
    });
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(maxHeaderBytes)) {
    throw new TensorIoError('HEADER_TOO_LARGE', `${file}: header length ${length} bytes exceeds the limit of ${maxHeaderBytes} bytes`, {
      file,
      field: 'header length',
      limit: maxHeaderBytes,
    });
  }
  const n = Number(length);
  if (8 + n > fileSize) {
    throw new TensorIoError(
      'HEADER_OUT_OF_BOUNDS',
      `${file}: header length ${n} bytes runs past the end of the file (${fileSize} bytes; truncated?)`,
      { file, field: 'header length', limit: fileSize - 8 },
    );
  }
  return n;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new TensorIoError('INVALID_METADATA', `${file}: ${METADATA_KEY} must be an object of strings`, { file, field: METADATA_KEY });
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw new TensorIoError('INVALID_METADATA', `${file}: ${METADATA_KEY}.${key} must be a string, got ${typeof entry}`, {
        file,
        field: `${METADATA_KEY}.${key}`,
      });
    }
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function parseEntry(name: string, entry: unknown, file: string, dataStart: number, dataLength: number): TensorInfo {
  const fail = (code: 'HEADER_INVALID' | 'INVALID_SHAPE', field: string, what: string): TensorIoError =>
    new TensorIoError(code, `${file}: tensor "${name}": ${field} ${what}`, { file, tensor: name, field });
  if (!isPlainObject(entry)) throw fail('HEADER_INVALID', 'entry', 'must be an object with dtype, shape and data_offsets');
  const dtype = entry.dtype;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new TensorIoError(
      'UNKNOWN_DTYPE',
      `${file}: tensor "${name}": dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(DTYPE_BYTES).join(', ')}`,
      { file, tensor: name, field: 'dtype' },
    );
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail('INVALID_SHAPE', 'shape', 'must be an array of non-negative integers');
  }
  if (shape.length > MAX_TENSOR_RANK) {
    throw new TensorIoError('INVALID_SHAPE', `${file}: tensor "${name}": rank ${shape.length} exceeds the limit of ${MAX_TENSOR_RANK}`, {
      file,
      tensor: name,
      field: 'shape',
      limit: MAX_TENSOR_RANK,
    });
  }
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1]) || offsets[0] > offsets[1]) {
    throw fail('HEADER_INVALID', 'data_offsets', 'must be [begin, end] with 0 <= begin <= end');
  }
  const [begin, end] = offsets as [number, number];
  const elementBytes = DTYPE_BYTES[dtype as DType];
  let elements = 1;
  for (const dim of shape as number[]) elements *= dim;
  if (!Number.isSafeInteger(elements * elementBytes)) {
    throw fail('INVALID_SHAPE', 'shape', `[${shape.join(', ')}] has more elements than can be addressed`);
  }
  if (elements * elementBytes !== end - begin) {
    throw new TensorIoError(
      'SHAPE_DTYPE_MISMATCH',
      `${file}: tensor "${name}": shape [${shape.join(', ')}] x ${dtype} is ${elements * elementBytes} bytes but data_offsets [${begin}, ${end}) span ${end - begin}`,
      { file, tensor: name, field: 'data_offsets', limit: elements * elementBytes },
    );
  }
  if (end > dataLength) {
    throw new TensorIoError(
      'OFFSETS_OUT_OF_BOUNDS',
      `${file}: tensor "${name}": data_offsets [${begin}, ${end}) run past the data buffer of ${dataLength} bytes (truncated file?)`,
      { file, tensor: name, field: 'data_offsets', limit: dataLength },
    );
  }
  return {
    name,
    dtype: dtype as DType,
    shape: [...(shape as number[])],
    dataOffsets: [begin, end],
    fileOffset: dataStart + begin,
    byteLength: end - begin,
  };
}

/** Offsets must tile the data buffer exactly: no overlap, no hole, nothing after the last tensor. */
function checkCoverage(infos: TensorInfo[], dataLength: number, file: string): void {
  let expected = 0;
  let previous: TensorInfo | null = null;
  for (const info of infos) {
    const [begin, end] = info.dataOffsets;
    if (begin < expected) {
      throw new TensorIoError(
        'OFFSETS_OVERLAP',
        `${file}: tensor "${info.name}" [${begin}, ${end}) overlaps tensor "${previous?.name}" ending at ${expected}`,
        { file, tensor: info.name, field: 'data_offsets', limit: expected },
      );
    }
    if (begin > expected) {
      throw new TensorIoError(
        'OFFSETS_GAP',
        `${file}: tensor "${info.name}" starts at ${begin} but the previous tensor ends at ${expected}: ${begin - expected} bytes belong to no tensor`,
        { file, tensor: info.name, field: 'data_offsets', limit: expected },
      );
    }
    expected = end;
    previous = info;
  }
  if (expected !== dataLength) {
    throw new TensorIoError(
      'OFFSETS_GAP',
      `${file}: tensors cover ${expected} bytes but the data buffer holds ${dataLength}: ${dataLength - expected} trailing bytes belong to no tensor`,
      { file, field: 'data_offsets', limit: dataLength },
    );
  }
}

/**
 * Validates the JSON header bytes of a file of `fileSize` bytes whose header is
 * `headerLength` bytes long (as returned by readHeaderLength).
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string): ParsedSafetensorsHeader {
  const headerLength = headerBytes.length;
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch (cause) {
    throw new TensorIoError('HEADER_NOT_JSON', `${file}: header is not valid UTF-8`, { file, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TensorIoError('HEADER_NOT_JSON', `${file}: header is not valid JSON (${(cause as Error).message})`, { file, cause });
  }
  if (!isPlainObject(json)) {
    throw new TensorIoError('HEADER_INVALID', `${file}: header must be a JSON object of tensors`, { file });
  }
  const duplicate = findDuplicateJsonKey(text);
  if (duplicate && duplicate.depth === 1) {
    throw new TensorIoError('DUPLICATE_TENSOR', `${file}: tensor "${duplicate.key}" appears more than once in the header`, {
      file,
      tensor: duplicate.key,
    });
  }
  if (duplicate) {
    throw new TensorIoError('HEADER_INVALID', `${file}: field "${duplicate.key}" is repeated inside one header entry`, {
      file,
      field: duplicate.key,
    });
  }
  const metadata = parseMetadata(json[METADATA_KEY], file);
  const infos: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) continue;
    infos.push(parseEntry(name, entry, file, dataStart, dataLength));
  }
  infos.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  checkCoverage(infos, dataLength, file);
  return { headerLength, dataStart, tensors: new Map(infos.map((info) => [info.name, info])), metadata };
}

/** Parses a whole safetensors file held in memory (header and data). */
export function parseSafetensorsBytes(
  bytes: Uint8Array,
  options: { file?: string; maxHeaderBytes?: number } = {},
): ParsedSafetensorsHeader {
  const file = options.file ?? '<memory>';
  const maxHeaderBytes = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES;
  const headerLength = readHeaderLength(bytes.subarray(0, 8), bytes.length, file, maxHeaderBytes);
  return parseSafetensorsHeader(bytes.subarray(8, 8 + headerLength), bytes.length, file);
}
