import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from './fileErrors.js';

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one, never a
 * partial write: the bytes go to a temporary file in the same folder (same file system, so rename(2)
 * is atomic), are fsync'ed, and the temporary file is then renamed over `path`. On any failure the
 * temporary file is removed and a HeatlensError naming `path` is thrown.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx');
    created = true;
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    if (created) await unlink(tmp).catch(() => undefined);
    // ENOENT on creating the temporary file: the folder is missing (the file itself need not exist).
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `folder ${dirname(path)} does not exist` : fileErrorReason(err);
    throw new HeatlensError(`cannot write ${path}: ${why}`);
  }
}
