import { QuantError } from './errors.js';

/** Smallest block size accepted (bitsandbytes has 4-bit kernels down to 32). */
export const MIN_BLOCK_SIZE = 32;
/** Largest block size accepted (bitsandbytes' largest kernel). */
export const MAX_BLOCK_SIZE = 4096;

/**
 * Throws BLOCK_SIZE_OUT_OF_RANGE unless `blockSize` is a power of two in
 * [32, 4096]: bitsandbytes has kernels for exactly those, so anything else would
 * write a checkpoint it cannot load.
 */
export function checkBlockSize(blockSize: number, tensor?: string): void {
  const powerOfTwo = Number.isInteger(blockSize) && blockSize > 0 && (blockSize & (blockSize - 1)) === 0;
  if (!powerOfTwo || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw new QuantError(
      'BLOCK_SIZE_OUT_OF_RANGE',
      `block size ${blockSize}${tensor ? ` for tensor "${tensor}"` : ''} is not a power of two between ` +
        `${MIN_BLOCK_SIZE} and ${MAX_BLOCK_SIZE} (bitsandbytes has no kernel for it)`,
      { tensor, field: 'blockSize', limit: `${MIN_BLOCK_SIZE}..${MAX_BLOCK_SIZE}` },
    );
  }
}
