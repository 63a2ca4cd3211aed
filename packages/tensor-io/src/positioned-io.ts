// Positioned reads and writes that loop until every byte has moved: a single
// FileHandle call may transfer fewer bytes than asked, and libuv caps one call
// near 2 GiB.
import type { FileHandle } from 'node:fs/promises';
import { TensorIoError } from './errors.js';
import { MAX_IO_CHUNK_BYTES } from './limits.js';

/** Fills `target` from `position`; FILE_TRUNCATED if the file ends first. */
export async function readExactly(handle: FileHandle, target: Uint8Array, position: number, file: string, tensor?: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(target.length - done, MAX_IO_CHUNK_BYTES);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) {
      const what = tensor === undefined ? '' : ` tensor "${tensor}":`;
      throw new TensorIoError(
        'FILE_TRUNCATED',
        `${file}:${what} expected ${target.length} bytes at offset ${position} but the file ends after ${done} (file changed or truncated?)`,
        { file, tensor, limit: position + target.length },
      );
    }
    done += bytesRead;
  }
}

/** Writes all of `bytes` at `position`. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const length = Math.min(bytes.length - done, MAX_IO_CHUNK_BYTES);
    const { bytesWritten } = await handle.write(bytes, done, length, position + done);
    done += bytesWritten;
  }
}
