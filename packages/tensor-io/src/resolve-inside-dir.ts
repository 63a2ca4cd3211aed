// A weight_map in model.safetensors.index.json names files relative to the
// model directory. A hostile index could point at /etc/passwd or ../../secret;
// such names are refused before any file is opened. Symlinks inside the
// directory are deliberately allowed: the Hugging Face cache links snapshot
// files to ../../blobs/<hash>.
import { isAbsolute, relative, resolve, sep, win32 } from 'node:path';
import { TensorIoError } from './errors.js';

/** Absolute path of `name` inside `dir`, or PATH_TRAVERSAL if it would leave `dir`. */
export function resolveInsideDir(dir: string, name: string, file: string, tensor?: string): string {
  const refuse = (why: string): TensorIoError =>
    new TensorIoError('PATH_TRAVERSAL', `${file}: file name ${JSON.stringify(name)}${tensor ? ` (tensor "${tensor}")` : ''} ${why}`, {
      file,
      tensor,
      field: 'weight_map',
      limit: dir,
    });
  if (typeof name !== 'string' || name === '') throw refuse('is empty');
  if (name.includes('\0')) throw refuse('contains a NUL byte');
  if (isAbsolute(name) || win32.isAbsolute(name)) throw refuse('is absolute; it must be relative to the model directory');
  if (name.split(/[/\\]/).includes('..')) throw refuse('contains ".."; it must stay inside the model directory');
  const root = resolve(dir);
  const target = resolve(root, name);
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw refuse('leads outside the model directory');
  return target;
}
