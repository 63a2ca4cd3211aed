// Write and read a ~1 GB safetensors file (16 F32 tensors of 64 MiB) through
// @layerprune/tensor-io, and the same bytes through plain fs FileHandle calls,
// in the same run. Prints MB/s (1 MB = 1e6 bytes) and ours/plain ratios.
// Each variant runs ROUNDS times, interleaved (alternating who goes first); the
// best and the median round are reported (the machine is shared and writes are
// disk-bound, so single rounds are noisy).
// Usage: npm run bench -w @layerprune/tensor-io   (needs a build: dist/)
// Env: BENCH_DIR (default os.tmpdir()), BENCH_ROUNDS (3), BENCH_TENSORS (16).
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors } from '../dist/index.js';

const TENSORS = Number(process.env.BENCH_TENSORS ?? 16);
const ELEMENTS = 16 * 1024 * 1024; // 64 MiB of F32 per tensor
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BYTES = TENSORS * ELEMENTS * 4;

const values = new Float32Array(ELEMENTS);
for (let i = 0; i < ELEMENTS; i++) values[i] = Math.sin(i) * 0.02;
const valueBytes = new Uint8Array(values.buffer);
const sources = Array.from({ length: TENSORS }, (_, t) => ({
  name: `model.layers.${t}.mlp.up_proj.weight`,
  dtype: 'F32',
  shape: [4096, 4096],
  read: () => values,
}));

async function plainWrite(path) {
  const handle = await open(path, 'w');
  for (let t = 0; t < TENSORS; t++) await writeFully(handle, valueBytes, t * valueBytes.length);
  await handle.close();
}

async function writeFully(handle, bytes, position) {
  for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

/** Plain read into a fresh buffer per tensor: what any reader handing out owned arrays must do. */
async function plainRead(path) {
  const handle = await open(path, 'r');
  let checksum = 0;
  for (let t = 0; t < TENSORS; t++) {
    const bytes = new Uint8Array(valueBytes.length);
    for (let done = 0; done < bytes.length; ) done += (await handle.read(bytes, done, bytes.length - done, t * bytes.length + done)).bytesRead;
    checksum += new Float32Array(bytes.buffer)[12345];
  }
  await handle.close();
  return checksum;
}

async function oursWrite(path) {
  await writeSafetensors(path, sources, { metadata: { format: 'pt' } });
}

async function oursRead(path) {
  const reader = await openSafetensors(path);
  let checksum = 0;
  for (const name of reader.tensors.keys()) checksum += (await reader.readFloat32(name))[12345];
  await reader.close();
  return checksum;
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'tensor-io-bench-'));
const plainPath = join(dir, 'plain.bin');
const oursPath = join(dir, 'ours.safetensors');
const times = { plainWrite: [], oursWrite: [], plainRead: [], oursRead: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['plain', 'ours'] : ['ours', 'plain'];
    for (const who of order) {
      // Both write a new file (the usual case: a new output model), not an overwrite:
      // replacing a 1 GB file costs the filesystem extra work that would land on one side only.
      await rm(who === 'plain' ? plainPath : oursPath, { force: true });
      const w = await timed(() => (who === 'plain' ? plainWrite(plainPath) : oursWrite(oursPath)));
      times[`${who}Write`].push(w.seconds);
    }
    for (const who of order) {
      const r = await timed(() => (who === 'plain' ? plainRead(plainPath) : oursRead(oursPath)));
      times[`${who}Read`].push(r.seconds);
      if (Math.abs(r.result - TENSORS * values[12345]) > 1e-3) throw new Error(`${who} read back wrong values`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const mbps = (seconds) => BYTES / 1e6 / seconds;
const best = (list) => Math.min(...list);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const line = (label, ours, plain, pick) =>
  `${label.padEnd(6)} ours ${mbps(pick(ours)).toFixed(0).padStart(6)} MB/s   plain fs ${mbps(pick(plain)).toFixed(0).padStart(6)} MB/s   ratio ${(pick(plain) / pick(ours)).toFixed(2)}`;
console.log(`tensor-io throughput: ${TENSORS} x 64 MiB F32 = ${(BYTES / 1e6).toFixed(0)} MB in ${dir}, ${ROUNDS} rounds, node ${process.version}`);
for (const [name, pick] of [['best', best], ['median', median]]) {
  console.log(`${name} round:`);
  console.log(`  ${line('write', times.oursWrite, times.plainWrite, pick)}`);
  console.log(`  ${line('read', times.oursRead, times.plainRead, pick)}`);
}
