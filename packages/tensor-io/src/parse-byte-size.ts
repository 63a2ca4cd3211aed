// Shard sizes are given like transformers' `max_shard_size`: decimal units
// (KB, MB, GB, TB = powers of 1000) or binary units (KiB, MiB, GiB, TiB =
// powers of 1024), or a plain byte count. Units are case-insensitive.
import { TensorIoError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "2GB" -> 2e9, "500MB" -> 5e8, "5GiB" -> 5 * 2^30, "1024" -> 1024. INVALID_SIZE otherwise. */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = match ? match[2].toLowerCase() : '';
  if (!match || !Object.hasOwn(UNITS, unit)) {
    throw new TensorIoError('INVALID_SIZE', `size ${JSON.stringify(text)} is not a number of bytes with an optional unit (KB, MB, GB, TB, KiB, MiB, GiB, TiB)`, {
      field: 'size',
    });
  }
  const bytes = Math.floor(Number(match[1]) * UNITS[unit]);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new TensorIoError('INVALID_SIZE', `size ${JSON.stringify(text)} must be between 1 byte and ${Number.MAX_SAFE_INTEGER} bytes`, {
      field: 'size',
      limit: Number.MAX_SAFE_INTEGER,
    });
  }
  return bytes;
}
