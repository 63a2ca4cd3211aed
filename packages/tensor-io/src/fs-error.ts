// Node's fs errors (ENOENT, EACCES, EISDIR, ENOSPC, ...) become TensorIoErrors
// naming the file, so callers see one error type from this package.
import { TensorIoError } from './errors.js';
import type { TensorIoErrorCode } from './errors.js';

/** Wraps a caught fs error; TensorIoErrors pass through unchanged. */
export function fsError(cause: unknown, file: string, action: 'read' | 'write', tensor?: string): TensorIoError {
  if (cause instanceof TensorIoError) return cause;
  const errno = (cause as NodeJS.ErrnoException | null)?.code;
  const code: TensorIoErrorCode =
    errno === 'ENOENT' && action === 'read' ? 'FILE_NOT_FOUND' : action === 'read' ? 'READ_FAILED' : 'WRITE_FAILED';
  const reason = errno === 'ENOENT' ? 'no such file' : ((cause as Error | null)?.message ?? String(cause));
  const what = tensor === undefined ? '' : ` (tensor "${tensor}")`;
  return new TensorIoError(code, `${file}: cannot ${action}${what}: ${reason}`, { file, tensor, cause });
}
