// Mutates a valid safetensors file at random (seeded, so failures reproduce)
// and checks that every outcome is either a successful parse whose tensors
// decode, or a TensorIoError: never another exception, never a hang.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToTensorArray, decodeToFloat32 } from './dtype-codec.js';
import { TensorIoError } from './errors.js';
import { openSafetensors } from './open-safetensors.js';
import { parseSafetensorsBytes } from './parse-safetensors-header.js';
import { rawSafetensors } from './testing/raw-safetensors.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';
import { createRandom } from '@layerprune/data';

/** The project's seeded generator (@layerprune/data's mulberry32 stream): same seed, same numbers. */
const mulberry32: (seed: number) => () => number = createRandom;

function validFile(): Uint8Array {
  const tensors: [string, string, number[], number][] = [
    ['model.embed_tokens.weight', 'F32', [3, 2], 4],
    ['h', 'F16', [2, 2], 2],
    ['b', 'BF16', [3], 2],
    ['d', 'F64', [1], 8],
    ['i', 'I64', [2], 8],
    ['j', 'I32', [1], 4],
    ['k', 'I16', [1], 2],
    ['m', 'I8', [2], 1],
    ['u', 'U8', [3], 1],
    ['ok', 'BOOL', [1], 1],
  ];
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, dtype, shape, size] of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * size;
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const data = Uint8Array.from({ length: offset }, (_, i) => (i * 37 + 11) & 0xff);
  return rawSafetensors(header, data);
}

const JSON_BYTES = Array.from('"{}[],:0123456789-.eE \\tnu', (c) => c.charCodeAt(0));

function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(random() * n);
  const headerEnd = 8 + Number(new DataView(base.buffer).getBigUint64(0, true));
  const kind = pick(6);
  if (kind === 0) return base.slice(0, pick(base.length)); // truncate
  if (kind === 1) {
    // extend with random bytes
    const out = new Uint8Array(base.length + 1 + pick(16));
    out.set(base);
    for (let i = base.length; i < out.length; i++) out[i] = pick(256);
    return out;
  }
  const out = base.slice();
  const count = 1 + pick(4);
  for (let n = 0; n < count; n++) {
    // Mostly the header, where the parser's decisions are; sometimes the length prefix or the data.
    const where = random();
    const i = where < 0.1 ? pick(8) : where < 0.9 ? 8 + pick(headerEnd - 8) : pick(out.length);
    if (kind === 2) out[i] ^= 1 << pick(8);
    else if (kind === 3) out[i] = pick(256);
    else out[i] = JSON_BYTES[pick(JSON_BYTES.length)];
  }
  return out;
}

function decodeAll(bytes: Uint8Array): void {
  const parsed = parseSafetensorsBytes(bytes, { file: 'fuzz.safetensors' });
  for (const info of parsed.tensors.values()) {
    const raw = bytes.subarray(info.fileOffset, info.fileOffset + info.byteLength);
    const array = bytesToTensorArray(raw, info.dtype);
    const elements = info.shape.reduce((a, b) => a * b, 1);
    if (array.length !== elements) throw new Error(`decoded ${array.length} elements, shape says ${elements}`);
    if (info.dtype === 'F32' || info.dtype === 'F16' || info.dtype === 'BF16' || info.dtype === 'F64') decodeToFloat32(raw, info.dtype);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('fuzz: random mutations of a valid file', () => {
  it('10,000 in-memory mutations give only successes or TensorIoErrors', () => {
    const base = validFile();
    expect(() => decodeAll(base)).not.toThrow();
    const random = mulberry32(20240601);
    const outcomes = new Map<string, number>();
    const started = performance.now();
    for (let round = 0; round < 10_000; round++) {
      const mutated = mutate(base, random);
      let outcome = 'OK';
      try {
        decodeAll(mutated);
      } catch (err) {
        if (!(err instanceof TensorIoError)) {
          throw new Error(`round ${round}: ${(err as Error)?.stack ?? String(err)}\nbytes: ${Buffer.from(mutated).toString('base64')}`);
        }
        outcome = err.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const elapsed = performance.now() - started;
    if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries(outcomes), `${elapsed.toFixed(0)} ms`);
    // The mutations must reach deep into the validator, not stop at one check.
    expect(outcomes.get('OK')).toBeGreaterThan(50);
    for (const code of ['HEADER_NOT_JSON', 'HEADER_OUT_OF_BOUNDS', 'HEADER_TOO_LARGE', 'OFFSETS_OUT_OF_BOUNDS', 'SHAPE_DTYPE_MISMATCH', 'UNKNOWN_DTYPE']) {
      expect(outcomes.get(code), code).toBeGreaterThan(0);
    }
    expect(elapsed).toBeLessThan(30_000);
  });

  it('500 mutations through openSafetensors on disk give only successes or TensorIoErrors', async () => {
    const base = validFile();
    const random = mulberry32(7);
    const path = join(dir, 'fuzz.safetensors');
    let typed = 0;
    for (let round = 0; round < 500; round++) {
      await writeFile(path, mutate(base, random));
      try {
        const reader = await openSafetensors(path);
        try {
          for (const name of reader.tensors.keys()) await reader.read(name);
        } finally {
          await reader.close();
        }
      } catch (err) {
        if (!(err instanceof TensorIoError)) throw new Error(`round ${round}: ${(err as Error)?.stack ?? String(err)}`);
        typed++;
      }
    }
    expect(typed).toBeGreaterThan(100);
  });
});
