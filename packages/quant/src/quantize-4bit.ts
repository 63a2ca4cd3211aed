// Blockwise 4-bit quantization (NF4 / FP4), bit for bit what bitsandbytes'
// kQuantizeBlockwise kernel writes:
//   absmax = max |v| over the block (only the block's valid items at a tail),
//   inv = float32(1 / absmax), x = float32(v * inv), code = decision tree of x,
//   byte i = code(element 2i) << 4 | code(element 2i + 1).
// An odd element count gets a last byte whose low nibble encodes the zero the
// kernel pads the block with. A block of zeros gives inv = Infinity and
// 0 * Infinity = NaN, which the tree maps to code 0; dequantized it is 0 * code = 0.
import { checkBlockSize } from './check-block-size.js';
import { checkFinite } from './check-finite.js';
import { codeTableOf, FP4_REGION_CODES, type FourBitType } from './code-tables.js';
import { codeGridOf } from './code-grid.js';
import { doubleQuantizeAbsmax } from './double-quantize-absmax.js';
import { QuantError } from './errors.js';
import { quantize4bitValue } from './quantize-4bit-value.js';
import type { QuantState4bit, TorchDtypeName } from './types.js';

export interface Quantize4bitOptions {
  /** 'nf4' (default) or 'fp4'. */
  type?: FourBitType;
  /** Values per absmax block: a power of two in 32..4096; default 64. */
  blockSize?: number;
  /** Quantize the absmax values too (bitsandbytes `compress_statistics`); default false. */
  doubleQuant?: boolean;
  /** Tensor shape recorded in the state; default [values.length]. */
  shape?: readonly number[];
  /** dtype of the original weight, recorded for the Python side; default 'float32'. */
  dtype?: TorchDtypeName;
  /** Tensor name used in error messages. */
  name?: string;
}

/** Quantizes `values` to 4 bits per value with one absmax per block. */
export function quantize4bit(values: Float32Array, options: Quantize4bitOptions = {}): QuantState4bit {
  const type = options.type ?? 'nf4';
  const blockSize = options.blockSize ?? 64;
  const name = options.name ?? 'tensor';
  if (type !== 'nf4' && type !== 'fp4') {
    throw new QuantError('UNSUPPORTED_TYPE', `4-bit type "${String(type)}" for tensor "${name}" is not nf4 or fp4`, {
      tensor: name,
      field: 'type',
    });
  }
  checkBlockSize(blockSize, name);
  const n = values.length;
  const shape = options.shape ? [...options.shape] : [n];
  const shapeNumel = shape.reduce((a, b) => a * b, 1);
  if (shapeNumel !== n) {
    throw new QuantError('SHAPE_MISMATCH', `tensor "${name}" has ${n} values but shape [${shape.join(', ')}] holds ${shapeNumel}`, {
      tensor: name,
      field: 'shape',
    });
  }

  const blocks = Math.ceil(n / blockSize);
  const absmax = new Float32Array(blocks);
  const packed = new Uint8Array(Math.ceil(n / 2));
  for (let b = 0; b < blocks; b++) {
    const start = b * blockSize;
    const end = Math.min(n, start + blockSize);
    let m = 0;
    // Math.max propagates NaN, so one check per block finds non-finite weights.
    for (let i = start; i < end; i++) m = Math.max(m, Math.abs(values[i]));
    if (!(m < Infinity)) checkFinite(values, name, start, end);
    absmax[b] = m;
    const inv = Math.fround(1 / m);
    if (inv === Infinity) quantizeBlockExact(values, start, end, inv, type, packed);
    else if (type === 'nf4') quantizeBlockNf4(values, start, end, inv, packed);
    else quantizeBlockFp4(values, start, end, inv, packed);
  }
  if (n % 2 === 1) {
    // The kernel loads the missing partner as 0.0 and scales it like the block.
    const lastInv = Math.fround(1 / absmax[blocks - 1]);
    packed[packed.length - 1] |= quantize4bitValue(0 * lastInv, type);
  }
  const dtype = options.dtype ?? 'float32';
  const quantMap = Float32Array.from(codeTableOf(type));
  const base = { quantType: type, blockSize, shape, numel: n, dtype, packed, quantMap };
  if (options.doubleQuant) return { ...base, absmax: null, nested: doubleQuantizeAbsmax(absmax) };
  return { ...base, absmax, nested: null };
}

const NF4 = codeGridOf('nf4');
const FP4 = codeGridOf('fp4');

// Hot loops: one fround, one table index, one comparison per value, four values
// per iteration (measured fastest in V8). The cell expressions must stay
// identical to nf4Cell / fp4Cell in code-grid.ts.
function quantizeBlockNf4(values: Float32Array, start: number, end: number, inv: number, packed: Uint8Array): void {
  const thr = NF4.threshold;
  const region = NF4.region;
  const quadEnd = start + ((end - start) & ~3);
  for (let i = start; i < quadEnd; i += 4) {
    const x0 = Math.fround(values[i] * inv);
    const x1 = Math.fround(values[i + 1] * inv);
    const x2 = Math.fround(values[i + 2] * inv);
    const x3 = Math.fround(values[i + 3] * inv);
    const k0 = ((x0 + 1) * 1024) | 0;
    const k1 = ((x1 + 1) * 1024) | 0;
    const k2 = ((x2 + 1) * 1024) | 0;
    const k3 = ((x3 + 1) * 1024) | 0;
    const c0 = region[k0] + +(x0 > thr[k0]);
    const c1 = region[k1] + +(x1 > thr[k1]);
    const c2 = region[k2] + +(x2 > thr[k2]);
    const c3 = region[k3] + +(x3 > thr[k3]);
    packed[i >>> 1] = (c0 << 4) | c1;
    packed[(i >>> 1) + 1] = (c2 << 4) | c3;
  }
  for (let i = quadEnd; i < end; i++) setNibble(packed, i, quantize4bitValue(values[i] * inv, 'nf4'));
}

function quantizeBlockFp4(values: Float32Array, start: number, end: number, inv: number, packed: Uint8Array): void {
  const thr = FP4.threshold;
  const region = FP4.region;
  const codes = FP4_REGION_CODES;
  const quadEnd = start + ((end - start) & ~3);
  for (let i = start; i < quadEnd; i += 4) {
    const x0 = Math.fround(values[i] * inv);
    const x1 = Math.fround(values[i + 1] * inv);
    const x2 = Math.fround(values[i + 2] * inv);
    const x3 = Math.fround(values[i + 3] * inv);
    const a0 = Math.abs(x0);
    const a1 = Math.abs(x1);
    const a2 = Math.abs(x2);
    const a3 = Math.abs(x3);
    const k0 = (a0 * 2048) | 0;
    const k1 = (a1 * 2048) | 0;
    const k2 = (a2 * 2048) | 0;
    const k3 = (a3 * 2048) | 0;
    const c0 = codes[region[k0] + +(a0 > thr[k0])] | (+(x0 < 0) << 3);
    const c1 = codes[region[k1] + +(a1 > thr[k1])] | (+(x1 < 0) << 3);
    const c2 = codes[region[k2] + +(a2 > thr[k2])] | (+(x2 < 0) << 3);
    const c3 = codes[region[k3] + +(a3 > thr[k3])] | (+(x3 < 0) << 3);
    packed[i >>> 1] = (c0 << 4) | c1;
    packed[(i >>> 1) + 1] = (c2 << 4) | c3;
  }
  for (let i = quadEnd; i < end; i++) setNibble(packed, i, quantize4bitValue(values[i] * inv, 'fp4'));
}

/** Writes the code of element i into its nibble (high for even i), keeping the other nibble. */
function setNibble(packed: Uint8Array, i: number, code: number): void {
  const byte = i >>> 1;
  packed[byte] = i % 2 === 0 ? (packed[byte] & 0x0f) | (code << 4) : (packed[byte] & 0xf0) | code;
}

/** Non-finite scale (zero or subnormal absmax): follow the kernel's tree literally. */
function quantizeBlockExact(
  values: Float32Array,
  start: number,
  end: number,
  inv: number,
  type: FourBitType,
  packed: Uint8Array,
): void {
  for (let i = start; i < end; i++) setNibble(packed, i, quantize4bitValue(values[i] * inv, type));
}
