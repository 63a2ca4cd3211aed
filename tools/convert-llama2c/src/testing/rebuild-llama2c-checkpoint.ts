// The llama2.c checkpoints the tests convert (stories260K.bin 1.06 MB, BabyLlama's
// model5000.bin 3.76 MB) are not kept in the repository a second time: their
// weights are already in it, as the Hugging Face directories in packages/assets
// that this tool made from them. What those directories lack is kept in
// test-fixtures/: the 28-byte header and the two freq_cis tables (cut from the
// original files, see test-fixtures/SOURCE.md). This module puts the original
// file back together in run.c's legacy layout and checks its sha256 against the
// hash recorded when the original was downloaded, so the tests run on exactly the
// bytes Karpathy / EN10 published, not on an approximation.
//
// It is written independently of the converter: its own safetensors parsing, its
// own layout arithmetic (run.c's memory_map_weights) and its own rotary row
// permutation (Hugging Face row h*hs + r*hs/2 + j is llama2.c row h*hs + 2j + r).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CheckpointSpec {
  /** File name of the original checkpoint (the converter records it in the safetensors metadata). */
  name: string;
  /** Hugging Face directory holding model.safetensors converted from that checkpoint. */
  hfDir: string;
  /** The original's first 28 bytes followed by its freq_cis_real and freq_cis_imag tables. */
  headerAndFreqCis: string;
  /** sha256 of the original checkpoint, as recorded in its SOURCE.txt / the fixture manifest. */
  sha256: string;
}

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function readSafetensorsF32(path: string): Map<string, Float32Array> {
  const file = readFileSync(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, TensorEntry>;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${path}: ${name} is ${entry.dtype}, expected F32`);
    const [begin, end] = entry.data_offsets;
    const bytes = file.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  return tensors;
}

/** Rows of a q/k projection from Hugging Face's rotate-half order back to llama2.c's interleaved order. */
function toInterleavedRows(w: Float32Array, heads: number, headSize: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < headSize / 2; j++) {
      for (let r = 0; r < 2; r++) {
        const from = (h * headSize + r * (headSize / 2) + j) * cols;
        const to = (h * headSize + 2 * j + r) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}

/** The original llama2.c checkpoint bytes, rebuilt from the Hugging Face directory and the excerpt. */
export function rebuildLlama2cCheckpoint(spec: CheckpointSpec): Buffer {
  const excerpt = readFileSync(spec.headerAndFreqCis);
  const header = excerpt.subarray(0, 28);
  const [dim, , layers, heads, kvHeads, signedVocab] = Array.from({ length: 7 }, (_, i) => header.readInt32LE(4 * i));
  const headSize = dim / heads;
  const tensors = readSafetensorsF32(join(spec.hfDir, 'model.safetensors'));
  const get = (name: string): Float32Array => {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`${spec.hfDir}: no tensor ${name}`);
    return t;
  };
  const perLayer = (suffix: string, transform?: (w: Float32Array) => Float32Array): Float32Array[] =>
    Array.from({ length: layers }, (_, l) => {
      const w = get(`model.layers.${l}.${suffix}`);
      return transform ? transform(w) : w;
    });
  // run.c's memory_map_weights order: token_embedding_table, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3,
  // rms_final, freq_cis_real, freq_cis_imag, and wcls only when vocab_size is negative (untied classifier).
  const arrays: Float32Array[] = [
    get('model.embed_tokens.weight'),
    ...perLayer('input_layernorm.weight'),
    ...perLayer('self_attn.q_proj.weight', (w) => toInterleavedRows(w, heads, headSize, dim)),
    ...perLayer('self_attn.k_proj.weight', (w) => toInterleavedRows(w, kvHeads, headSize, dim)),
    ...perLayer('self_attn.v_proj.weight'),
    ...perLayer('self_attn.o_proj.weight'),
    ...perLayer('post_attention_layernorm.weight'),
    ...perLayer('mlp.gate_proj.weight'),
    ...perLayer('mlp.down_proj.weight'),
    ...perLayer('mlp.up_proj.weight'),
    get('model.norm.weight'),
  ];
  const parts: Buffer[] = [Buffer.from(header)];
  for (const a of arrays) parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  parts.push(Buffer.from(excerpt.subarray(28)));
  if (signedVocab < 0) {
    const head = get('lm_head.weight');
    parts.push(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  }
  const bytes = Buffer.concat(parts);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== spec.sha256) {
    throw new Error(`rebuilt ${spec.name} has sha256 ${sha256}, but the original's is ${spec.sha256}: the bundled model or the excerpt changed`);
  }
  return bytes;
}

let scratch: string | undefined;
const built = new Map<string, string>();

/**
 * Path of the rebuilt checkpoint, written once per test process into a temporary
 * directory of its own (named as the original, alone in its directory, so the
 * converter picks up no notice files next to it), removed when the process exits.
 */
export function rebuiltCheckpointPath(spec: CheckpointSpec): string {
  const done = built.get(spec.name);
  if (done !== undefined) return done;
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'convert-llama2c-fixture-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = join(scratch, spec.name.replace(/\.bin$/, ''));
  mkdirSync(dir);
  const path = join(dir, spec.name);
  writeFileSync(path, rebuildLlama2cCheckpoint(spec));
  built.set(spec.name, path);
  return path;
}
