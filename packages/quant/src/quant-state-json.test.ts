import { describe, expect, it } from 'vitest';
import type { QuantError } from './errors.js';
import { packQuantStateJson, parseQuantStateJson } from './quant-state-json.js';
import { quantize4bit } from './quantize-4bit.js';
import { gaussian } from './testing/gaussian.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('packed quant state (QuantState.as_dict(packed=True))', () => {
  it('is json.dumps of the non-tensor fields in bitsandbytes order', () => {
    const state = quantize4bit(new Float32Array(128).fill(0.5), { shape: [4, 32], dtype: 'bfloat16' });
    expect(text(packQuantStateJson(state))).toBe('{"quant_type": "nf4", "blocksize": 64, "dtype": "bfloat16", "shape": [4, 32]}');
  });

  it('adds the nested fields with the offset as Python writes a float', () => {
    const state = quantize4bit(gaussian(64 * 10, 3), { type: 'fp4', doubleQuant: true, blockSize: 32, shape: [20, 32] });
    const json = text(packQuantStateJson(state));
    expect(json).toMatch(
      /^\{"quant_type": "fp4", "blocksize": 32, "dtype": "float32", "shape": \[20, 32\], "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": [0-9.e+-]+\}$/,
    );
    const parsed = parseQuantStateJson(packQuantStateJson(state), 'w.quant_state.bitsandbytes__fp4');
    expect(Math.fround(parsed.nested_offset!)).toBe(state.nested!.offset);
    expect(parsed).toMatchObject({ quant_type: 'fp4', blocksize: 32, dtype: 'float32', shape: [20, 32], nested_blocksize: 256 });
  });

  it('rejects malformed states naming the tensor', () => {
    const bad = (json: string): string => {
      try {
        parseQuantStateJson(new TextEncoder().encode(json), 'x.weight.quant_state.bitsandbytes__nf4');
      } catch (error) {
        expect((error as QuantError).message).toContain('x.weight.quant_state.bitsandbytes__nf4');
        return (error as QuantError).code;
      }
      return 'none';
    };
    expect(bad('not json')).toBe('STATE_INVALID');
    expect(bad('{"quant_type": "int4", "blocksize": 64, "dtype": "float32", "shape": [2]}')).toBe('STATE_INVALID');
    expect(bad('{"quant_type": "nf4", "blocksize": 64, "dtype": "float64", "shape": [2]}')).toBe('STATE_INVALID');
    expect(bad('{"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": [2], "nested_offset": 0.1}')).toBe('STATE_INVALID');
  });
});
