/**
 * Why a file could not be read or written, in the words of one error line. Node's own messages read
 * "EISDIR: illegal operation on a directory, read" or "ENOENT: …, open '/some/.tmp'": the common
 * codes get plain words, any other keeps the part before the first comma (without the syscall and
 * path, which would name a temporary file the user never asked for).
 */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

export function fileErrorReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return (e.code !== undefined ? REASONS[e.code] : undefined) ?? String(e.message).split(',')[0];
}
