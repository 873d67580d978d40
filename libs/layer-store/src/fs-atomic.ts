import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { isNodeError } from './errors';

/** A unique name in a temp directory; the pid makes leftovers attributable when debugging. */
export function tempPath(tmpDir: string, prefix: string): string {
  return join(tmpDir, `${prefix}-${process.pid}-${randomBytes(8).toString('hex')}`);
}

/** Makes a rename durable: without syncing the directory a crash can forget the new name. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a small file so readers see either the old or the new content, never a torn one. */
export async function writeFileAtomic(path: string, data: Buffer | string, tmpDir: string): Promise<void> {
  const tmp = tempPath(tmpDir, 'file');
  try {
    await fs.writeFile(tmp, data, { flag: 'wx', mode: 0o644, flush: true });
    await fs.rename(tmp, path);
  } catch (error) {
    await removeQuietly(tmp);
    throw error;
  }
  await fsyncDir(dirname(path));
}

export async function removeQuietly(path: string): Promise<void> {
  await fs.rm(path, { force: true, recursive: true }).catch(() => undefined);
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    if (isNodeError(error, 'ENOENT') || isNodeError(error, 'ENOTDIR')) return false;
    throw error;
  }
}

export async function readFileIfExists(path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if (isNodeError(error, 'ENOENT')) return null;
    throw error;
  }
}

export async function listDirIfExists(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if (isNodeError(error, 'ENOENT')) return [];
    throw error;
  }
}
