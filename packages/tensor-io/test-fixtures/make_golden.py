#!/usr/bin/env python3
"""Writes golden.safetensors with an implementation independent of @layerprune/tensor-io.

Produced with (Python 3, standard library only: struct and json):

    cd packages/tensor-io/test-fixtures && python3 make_golden.py

The header is compact JSON with NO padding and the tensors start with a 3-byte
U8 tensor, so the data buffer and every later tensor sit at unaligned offsets:
the reader must not assume the 8-byte alignment our own writer produces.
The values are formulas that src/golden.test.ts recomputes on its own.
"""
import json
import math
import struct


def f32(x):
    """Round a Python float (float64) to the nearest float32."""
    return struct.unpack('<f', struct.pack('<f', x))[0]


def bf16_bits(x):
    """float32 -> bfloat16 bit pattern, round to nearest even (as PyTorch does)."""
    bits = struct.unpack('<I', struct.pack('<f', x))[0]
    return (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16


F16_VALUES = [f32(i / 10 - 0.35) for i in range(8)] + [65504.0, f32(1e-7), -0.0, f32(1 / 3)]
BF16_VALUES = [f32(i / 7 - 0.5) for i in range(4)] + [f32(math.pi), f32(-1e30)]

tensors = [
    ('u8_prefix', 'U8', [3], struct.pack('<3B', 1, 2, 3)),
    ('f32', 'F32', [2, 3], struct.pack('<6f', *[i / 7 - 0.5 for i in range(6)])),
    ('f16', 'F16', [3, 4], struct.pack('<12e', *F16_VALUES)),
    ('bf16', 'BF16', [6], struct.pack('<6H', *[bf16_bits(v) for v in BF16_VALUES])),
    ('f64', 'F64', [3], struct.pack('<3d', math.pi, -1e300, 5e-324)),
    ('i64', 'I64', [2], struct.pack('<2q', -(2 ** 63), 2 ** 63 - 1)),
    ('i32', 'I32', [3], struct.pack('<3i', -(2 ** 31), 0, 123456789)),
    ('i16', 'I16', [2], struct.pack('<2h', -32768, 32767)),
    ('i8', 'I8', [3], struct.pack('<3b', -128, -1, 127)),
    ('bool', 'BOOL', [3], struct.pack('<3?', True, False, True)),
    ('model.layers.0.mlp.up_proj.weight', 'F32', [2, 2], struct.pack('<4f', 1.0, -1.0, 0.5, 0.25)),
]

header = {'__metadata__': {'format': 'pt', 'producer': 'make_golden.py'}}
offset = 0
for name, dtype, shape, data in tensors:
    header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
    offset += len(data)

header_bytes = json.dumps(header, separators=(',', ':')).encode('utf-8')
with open('golden.safetensors', 'wb') as out:
    out.write(struct.pack('<Q', len(header_bytes)))
    out.write(header_bytes)
    for _, _, _, data in tensors:
        out.write(data)
