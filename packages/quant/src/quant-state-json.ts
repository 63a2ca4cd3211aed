// The `quant_state.bitsandbytes__<type>` tensor: bitsandbytes'
// QuantState.as_dict(packed=True) puts the non-tensor fields in a dict and stores
// `json.dumps(dict).encode("utf-8")` as a U8 tensor. Keys in its order:
// quant_type, blocksize, dtype, shape[, nested_blocksize, nested_dtype, nested_offset].
import { QuantError } from './errors.js';
import { pythonFloatRepr } from './python-float-repr.js';
import type { FourBitType } from './code-tables.js';
import type { QuantState4bit, TorchDtypeName } from './types.js';

export interface QuantStateJson {
  quant_type: FourBitType;
  blocksize: number;
  dtype: TorchDtypeName;
  shape: number[];
  nested_blocksize?: number;
  nested_dtype?: TorchDtypeName;
  nested_offset?: number;
}

/** json.dumps of the packed quant state, as UTF-8 bytes (Python's separators and float repr). */
export function packQuantStateJson(state: QuantState4bit): Uint8Array {
  const fields: string[] = [
    `"quant_type": "${state.quantType}"`,
    `"blocksize": ${state.blockSize}`,
    `"dtype": "${state.dtype}"`,
    `"shape": [${state.shape.join(', ')}]`,
  ];
  if (state.nested) {
    fields.push(
      `"nested_blocksize": ${state.nested.blockSize}`,
      `"nested_dtype": "float32"`,
      `"nested_offset": ${pythonFloatRepr(state.nested.offset)}`,
    );
  }
  return new TextEncoder().encode(`{${fields.join(', ')}}`);
}

const DTYPES: readonly string[] = ['float32', 'float16', 'bfloat16'];

/** Parses and checks a packed quant state; `tensor` names it in errors. */
export function parseQuantStateJson(bytes: Uint8Array, tensor: string): QuantStateJson {
  const fail = (why: string, field?: string): never => {
    throw new QuantError('STATE_INVALID', `quant state "${tensor}": ${why}`, { tensor, field });
  };
  let json: unknown;
  try {
    // Python's json.dumps may write NaN / Infinity, which JSON.parse rejects; an offset never is.
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new QuantError('STATE_INVALID', `quant state "${tensor}" is not UTF-8 JSON (${(cause as Error).message})`, {
      tensor,
      cause,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.quant_type !== 'nf4' && o.quant_type !== 'fp4') return fail(`quant_type ${JSON.stringify(o.quant_type)} is not nf4 or fp4`, 'quant_type');
  if (!Number.isInteger(o.blocksize)) return fail('blocksize is not an integer', 'blocksize');
  if (typeof o.dtype !== 'string' || !DTYPES.includes(o.dtype)) return fail(`dtype ${JSON.stringify(o.dtype)} is not one of ${DTYPES.join(', ')}`, 'dtype');
  if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) return fail('shape is not a list of sizes', 'shape');
  const parsed: QuantStateJson = {
    quant_type: o.quant_type,
    blocksize: o.blocksize as number,
    dtype: o.dtype as TorchDtypeName,
    shape: o.shape as number[],
  };
  const nestedKeys = ['nested_blocksize', 'nested_dtype', 'nested_offset'].filter((k) => k in o);
  if (nestedKeys.length > 0) {
    if (nestedKeys.length !== 3) return fail(`has ${nestedKeys.join(', ')} but not all three nested fields`, 'nested_offset');
    if (!Number.isInteger(o.nested_blocksize) || (o.nested_blocksize as number) <= 0) return fail('nested_blocksize is not a positive integer', 'nested_blocksize');
    if (o.nested_dtype !== 'float32') return fail(`nested_dtype ${JSON.stringify(o.nested_dtype)} is not float32`, 'nested_dtype');
    if (typeof o.nested_offset !== 'number') return fail('nested_offset is not a number', 'nested_offset');
    parsed.nested_blocksize = o.nested_blocksize as number;
    parsed.nested_dtype = 'float32';
    parsed.nested_offset = o.nested_offset;
  }
  return parsed;
}
