import type { FileHandle } from 'node:fs/promises';
import { ConvertError } from './convert-error.js';
import { LLAMA2C_HEADER_BYTES, parseLlama2cHeader } from './llama2c-header.js';
import type { Llama2cHeader } from './llama2c-header.js';
import { layoutArray, llama2cLayout } from './llama2c-layout.js';
import type { Llama2cArrayName, Llama2cLayout } from './llama2c-layout.js';
import { MAX_READ_CHUNK_BYTES } from './limits.js';
import { openInputFile } from './open-input-file.js';

/** An open llama2.c checkpoint whose size has been checked against its header. */
export interface Llama2cCheckpoint {
  readonly path: string;
  readonly fileBytes: number;
  readonly header: Llama2cHeader;
  readonly layout: Llama2cLayout;
  /**
   * Reads one array, or the slice of layer `layer` of a per-layer array, as the
   * fp32 values stored in the file. Throws NON_FINITE_WEIGHT on NaN/Infinity:
   * a checkpoint that holds them is corrupt, and they would poison every logit.
   */
  read(name: Llama2cArrayName, layer?: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Opens a legacy llama2.c checkpoint with positioned reads (the file is never
 * loaded whole, so a 7B checkpoint converts in about one tensor of memory).
 */
export async function openLlama2cCheckpoint(path: string): Promise<Llama2cCheckpoint> {
  const { handle, size } = await openInputFile(path);
  try {
    const headBytes = new Uint8Array(Math.min(size, LLAMA2C_HEADER_BYTES));
    await readExactly(handle, headBytes, 0, path);
    const header = parseLlama2cHeader(headBytes, path);
    const layout = llama2cLayout(header);
    if (size < layout.expectedFileBytes) {
      throw new ConvertError(
        'CHECKPOINT_TRUNCATED',
        `${path}: ${size} bytes, but the header (dim ${header.dim}, hidden_dim ${header.hiddenDim}, n_layers ${header.nLayers}, n_heads ${header.nHeads}, n_kv_heads ${header.nKvHeads}, vocab_size ${header.sharedClassifier ? '' : '-'}${header.vocabSize}, seq_len ${header.seqLen}) needs exactly ${layout.expectedFileBytes}`,
        { file: path, field: 'file size', limit: layout.expectedFileBytes },
      );
    }
    if (size > layout.expectedFileBytes) {
      const extra = size - layout.expectedFileBytes;
      const hint =
        header.sharedClassifier && extra === header.vocabSize * header.dim * 4
          ? ' (exactly one untied classifier more: was vocab_size meant to be negative?)'
          : '';
      throw new ConvertError(
        'CHECKPOINT_TRAILING_BYTES',
        `${path}: ${size} bytes, ${extra} more than the ${layout.expectedFileBytes} its header describes${hint}`,
        { file: path, field: 'file size', limit: layout.expectedFileBytes },
      );
    }
    return new CheckpointReader(path, size, header, layout, handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class CheckpointReader implements Llama2cCheckpoint {
  constructor(
    readonly path: string,
    readonly fileBytes: number,
    readonly header: Llama2cHeader,
    readonly layout: Llama2cLayout,
    private readonly handle: FileHandle,
  ) {}

  async read(name: Llama2cArrayName, layer?: number): Promise<Float32Array> {
    const array = layoutArray(this.layout, name);
    let byteOffset = array.byteOffset;
    let length = array.length;
    if (layer !== undefined) {
      const layers = array.shape[0];
      if (!Number.isInteger(layer) || layer < 0 || layer >= layers || array.shape.length < 2) {
        throw new RangeError(`layer ${layer} out of range [0, ${layers}) for llama2.c array ${name}`);
      }
      length = array.length / layers;
      byteOffset += layer * length * 4;
    }
    const bytes = new Uint8Array(length * 4);
    await readExactly(this.handle, bytes, byteOffset, this.path);
    const values = decodeLittleEndianFloat32(bytes);
    for (let i = 0; i < length; i++) {
      if (!Number.isFinite(values[i])) {
        const where = layer === undefined ? name : `${name}[layer ${layer}]`;
        throw new ConvertError(
          'NON_FINITE_WEIGHT',
          `${this.path}: ${where} element ${i} (byte ${byteOffset + i * 4}) is ${values[i]}; the checkpoint is corrupt`,
          { file: this.path, field: name },
        );
      }
    }
    return values;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** llama2.c files are little-endian fp32; a view suffices on little-endian hosts. */
function decodeLittleEndianFloat32(bytes: Uint8Array): Float32Array {
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Fills `target` from `position`, in chunks libuv accepts, or throws CHECKPOINT_TRUNCATED. */
async function readExactly(handle: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const want = Math.min(target.byteLength - done, MAX_READ_CHUNK_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(target, done, want, position + done));
    } catch (cause) {
      throw new ConvertError('READ_FAILED', `${path}: read of ${want} bytes at ${position + done} failed: ${(cause as Error).message}`, { file: path, cause });
    }
    if (bytesRead === 0) {
      throw new ConvertError('CHECKPOINT_TRUNCATED', `${path}: ended at byte ${position + done} while reading ${target.byteLength} bytes at ${position}`, { file: path });
    }
    done += bytesRead;
  }
}
