// Rebuilds quantized states from the tensors bitsandbytes writes (see
// bnb-tensor-names.ts), checking every size against the others so that a
// truncated or mismatched checkpoint fails with STATE_INVALID instead of
// dequantizing garbage.
import type { DType } from '@layerprune/tensor-io';
import { fourBitTensorNames, int8TensorNames } from './bnb-tensor-names.js';
import { checkBlockSize } from './check-block-size.js';
import type { FourBitType } from './code-tables.js';
import { QuantError } from './errors.js';
import { parseQuantStateJson } from './quant-state-json.js';
import type { Int8RowwiseState, QuantState4bit } from './types.js';

/** What the readers need from a tensor store (a WeightStore or SafetensorsReader fits). */
export interface RawTensorStore {
  has(name: string): boolean;
  info(name: string): { dtype: DType; shape: number[] };
  readRaw(name: string): Promise<Uint8Array>;
}

function invalid(tensor: string, why: string, field?: string): QuantError {
  return new QuantError('STATE_INVALID', `quantized tensor "${tensor}": ${why}`, { tensor, field });
}

async function readTyped(
  store: RawTensorStore,
  name: string,
  owner: string,
  dtype: 'F32' | 'U8' | 'I8',
  length: number,
): Promise<Uint8Array> {
  if (!store.has(name)) throw invalid(owner, `"${name}" is missing`, name);
  const info = store.info(name);
  if (info.dtype !== dtype) throw invalid(owner, `"${name}" is ${info.dtype}, expected ${dtype}`, name);
  const numel = info.shape.reduce((a, b) => a * b, 1);
  if (numel !== length) throw invalid(owner, `"${name}" has ${numel} values, expected ${length}`, name);
  // A copy at offset 0 of a fresh buffer: aligned for Float32Array views.
  return (await store.readRaw(name)).slice();
}

const float32 = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);

/** Reads the 4-bit weight `weightName` of type `type` (the suffix of its quant_state tensor). */
export async function readFourBitState(store: RawTensorStore, weightName: string, type: FourBitType): Promise<QuantState4bit> {
  const names = fourBitTensorNames(weightName, type);
  const json = parseQuantStateJson(await store.readRaw(names.quantState), names.quantState);
  if (json.quant_type !== type) throw invalid(weightName, `quant_type "${json.quant_type}" under a __${type} key`, 'quant_type');
  checkBlockSize(json.blocksize, weightName);
  const numel = json.shape.reduce((a, b) => a * b, 1);
  const blocks = Math.ceil(numel / json.blocksize);
  if (!store.has(names.weight)) throw invalid(weightName, 'the packed weight is missing', names.weight);
  // bnb_4bit_quant_storage may be another dtype; the bytes are the same (A.view(torch.uint8)).
  const packed = await store.readRaw(names.weight);
  if (packed.byteLength !== Math.ceil(numel / 2)) {
    throw invalid(weightName, `packed weight has ${packed.byteLength} bytes, shape [${json.shape.join(', ')}] needs ${Math.ceil(numel / 2)}`, 'weight');
  }
  const quantMap = float32(await readTyped(store, names.quantMap, weightName, 'F32', 16));
  const base = {
    quantType: type,
    blockSize: json.blocksize,
    shape: json.shape,
    numel,
    dtype: json.dtype,
    packed,
    // Like bitsandbytes' kernels, dequantization uses the type's standard table;
    // the stored one is kept for inspection.
    quantMap,
  };
  if (json.nested_blocksize === undefined) {
    const absmax = float32(await readTyped(store, names.absmax, weightName, 'F32', blocks));
    return { ...base, absmax, nested: null };
  }
  const nestedBlockSize = json.nested_blocksize;
  const codes = await readTyped(store, names.absmax, weightName, 'U8', blocks);
  const nestedAbsmax = float32(await readTyped(store, names.nestedAbsmax, weightName, 'F32', Math.ceil(blocks / nestedBlockSize)));
  const nestedQuantMap = float32(await readTyped(store, names.nestedQuantMap, weightName, 'F32', 256));
  return {
    ...base,
    absmax: null,
    nested: {
      codes,
      absmax: nestedAbsmax,
      quantMap: nestedQuantMap,
      blockSize: nestedBlockSize,
      offset: Math.fround(json.nested_offset!),
    },
  };
}

/** Reads the row-wise int8 weight `weightName` (`weight` I8 + `SCB` F32). */
export async function readInt8State(store: RawTensorStore, weightName: string): Promise<Int8RowwiseState> {
  const names = int8TensorNames(weightName);
  if (!store.has(weightName)) throw invalid(weightName, 'the int8 weight is missing', 'weight');
  const shape = store.info(weightName).shape;
  if (shape.length !== 2) throw invalid(weightName, `int8 weight has shape [${shape.join(', ')}], expected a matrix`, 'weight');
  const [rows, cols] = shape;
  const weightBytes = await readTyped(store, weightName, weightName, 'I8', rows * cols);
  const scb = float32(await readTyped(store, names.scb, weightName, 'F32', rows));
  return {
    quantType: 'int8',
    shape: [rows, cols],
    numel: rows * cols,
    dtype: 'float32',
    weight: new Int8Array(weightBytes.buffer, 0, weightBytes.byteLength),
    scb,
  };
}
