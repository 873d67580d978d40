import fs from 'node:fs/promises';
import path from 'node:path';

const MAX_SYMLINKS = 255;

/**
 * Resolves `unsafePath` as if `root` were `/`: every symlink met on the way is followed
 * inside the root, and `..` never climbs above it. So a symlink in an image that points to
 * /etc or ../../.. can never send a write outside the image being built. Components that do
 * not exist yet are kept as they are (the caller is about to create them).
 */
export async function secureJoin(root: string, unsafePath: string): Promise<string> {
  let pending = splitPath(unsafePath);
  const resolved: string[] = [];
  let linksFollowed = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    const target = await readLinkIfSymlink(candidate);
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++linksFollowed > MAX_SYMLINKS) throw new Error(`too many levels of symbolic links resolving ${unsafePath}`);
    if (path.posix.isAbsolute(target)) resolved.length = 0;
    pending = [...splitPath(target), ...pending];
  }
  return path.join(root, ...resolved);
}

function splitPath(value: string): string[] {
  return value.split('/').filter((part) => part !== '' && part !== '.');
}

async function readLinkIfSymlink(candidate: string): Promise<string | null> {
  try {
    const stat = await fs.lstat(candidate);
    return stat.isSymbolicLink() ? await fs.readlink(candidate) : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}
