// Every size read from a file is checked against one of these named limits, so
// a corrupt or hostile file fails with a typed error instead of an allocation
// failure or a hang.
import { constants as bufferConstants } from 'node:buffer';

/** Largest safetensors JSON header accepted (the Rust reference uses the same 100 MB). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/**
 * Largest single tensor handed out as one typed array. Bounded by what one
 * ArrayBuffer can hold in this Node version (4 GiB on 64-bit Node 20).
 */
export const MAX_TENSOR_BYTES: number = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

/** One positioned read/write call moves at most this many bytes (libuv caps a call near 2 GiB). */
export const MAX_IO_CHUNK_BYTES = 1 << 30;

/** Tensor rank accepted in a header; real models use <= 5. */
export const MAX_TENSOR_RANK = 64;
