// A raw Node file-system error that reached main() (ENOENT, EEXIST, ENOTEMPTY...)
// says "ENOTEMPTY: directory not empty, rename 'a' -> 'b'": the syscall's words,
// not the user's. This turns the common ones into the CLI's own error codes and
// a sentence that names the path, as every library error already does.

export interface DescribedError {
  code: string;
  message: string;
}

interface SystemErrorLike {
  code: string;
  syscall: string;
  path?: string;
  dest?: string;
}

function isSystemError(error: unknown): error is SystemErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** What the syscall was doing, in words. */
const ACTIONS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the directory',
  mkdtemp: 'create a temporary directory in',
  rename: 'rename',
  rmdir: 'remove',
  rm: 'remove',
  unlink: 'remove',
  scandir: 'list',
  opendir: 'list',
  stat: 'read',
  lstat: 'read',
  access: 'access',
  copyfile: 'copy',
  cp: 'copy',
  symlink: 'create the link',
  link: 'create the link',
  realpath: 'resolve',
  readlink: 'read the link',
  fsync: 'flush',
  chmod: 'change the mode of',
};

/** [code, what went wrong]; `target` is the path the problem is about. */
const KNOWN: Record<string, [string, (target: string, action: string) => string]> = {
  ENOENT: ['FILE_NOT_FOUND', (t, a) => `cannot ${a} ${t}: no such file or directory`],
  EEXIST: ['OUTPUT_EXISTS', (t) => `${t} already exists (choose another --out, or --force where the command offers it)`],
  ENOTEMPTY: ['OUTPUT_NOT_EMPTY', (t) => `${t} is a directory that is not empty (choose another --out, or --force where the command offers it)`],
  ENOTDIR: ['NOT_A_DIRECTORY', (t, a) => `cannot ${a} ${t}: a part of that path is a file, not a directory`],
  EISDIR: ['IS_A_DIRECTORY', (t, a) => `cannot ${a} ${t}: it is a directory, a file was expected`],
  EACCES: ['PERMISSION_DENIED', (t, a) => `cannot ${a} ${t}: permission denied`],
  EPERM: ['PERMISSION_DENIED', (t, a) => `cannot ${a} ${t}: operation not permitted`],
  ENOSPC: ['DISK_FULL', (t, a) => `cannot ${a} ${t}: no space left on the device`],
  EDQUOT: ['DISK_FULL', (t, a) => `cannot ${a} ${t}: disk quota exceeded`],
  EROFS: ['READ_ONLY_FILESYSTEM', (t, a) => `cannot ${a} ${t}: the file system is read-only`],
  ENAMETOOLONG: ['PATH_TOO_LONG', (t, a) => `cannot ${a} ${t}: the name is too long`],
  ELOOP: ['SYMLINK_LOOP', (t, a) => `cannot ${a} ${t}: too many levels of symbolic links`],
  EMFILE: ['TOO_MANY_OPEN_FILES', (t, a) => `cannot ${a} ${t}: too many open files (raise ulimit -n)`],
  ENFILE: ['TOO_MANY_OPEN_FILES', (t, a) => `cannot ${a} ${t}: too many open files in the system`],
  EBUSY: ['PATH_BUSY', (t, a) => `cannot ${a} ${t}: it is busy (in use or a mount point)`],
  EXDEV: ['CROSS_DEVICE', (t, a) => `cannot ${a} ${t}: source and destination are on different file systems`],
};

/**
 * The CLI's code and message for a Node system error with a known code, or null
 * (anything else, including errors that are not system errors).
 */
export function describeSystemError(error: unknown): DescribedError | null {
  if (!isSystemError(error)) return null;
  const known = KNOWN[error.code];
  if (known === undefined) return null;
  const action = ACTIONS[error.syscall] ?? error.syscall;
  // rename/copy/link fail because of their destination when it exists or is not empty.
  const aboutDest = error.dest !== undefined && ['EEXIST', 'ENOTEMPTY', 'EISDIR', 'ENOTDIR'].includes(error.code);
  const target = (aboutDest ? error.dest : error.path) ?? '(a path)';
  const shown = error.dest !== undefined && !aboutDest ? `${target} -> ${error.dest}` : target;
  const [code, describe] = known;
  // mkdir (recursive) reports EEXIST when a file stands where a directory is needed.
  if (error.code === 'EEXIST' && error.syscall === 'mkdir') {
    return { code: 'NOT_A_DIRECTORY', message: `cannot create a directory at ${shown}: a file is in the way` };
  }
  return { code, message: describe(shown, action) };
}
