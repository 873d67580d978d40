import { chmodSync, closeSync, constants as fsConstants, createWriteStream, lchownSync, lstatSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BuildContext, ContextEntry } from '../context/build-context.port';
import { mapLimit } from '../fs/map-limit';
import { secureJoin } from '../fs/secure-join';
import { ResolvedSource } from './resolve-sources';
import { WrittenFiles } from './written-files';

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyTarget {
  /** The destination as written in the Dockerfile (after expansion). */
  dest: string;
  /** The image's WORKDIR, against which a relative destination is resolved. */
  workdir: string;
  /**
   * --chown: owns every copied entry and every directory the copy creates. Without it, copied
   * entries keep the owner the context reports (COPY --from), else 0:0, and created dirs are 0:0.
   */
  owner?: Owner;
  /**
   * --chmod: replaces the permission bits (0777) of every copied file and directory; setuid,
   * setgid and sticky bits stay as the source has them (BuildKit's copy does the same).
   */
  chmod?: number;
  /** Receives the content of the small files written, for packing the layer without reading them back. */
  written?: WrittenFiles;
}

const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

/**
 * Copies resolved sources into an image root with Docker's rules: a directory source copies
 * its contents; several sources need a directory destination ending in '/'; every path is
 * resolved inside the root, so no symlink in the image can redirect a write outside it.
 * Hardlinked files of one source stay hardlinked, as BuildKit keeps them.
 */
export async function copyIntoRoot(context: BuildContext, sources: ResolvedSource[], rootfs: string, target: CopyTarget): Promise<void> {
  const dest = destinationPath(target);
  const wantsDirectory = wantsDirectoryDestination(target);
  if (new Set(sources.map((source) => source.requested)).size > 1 && !wantsDirectory) {
    throw new Error(`When using COPY with more than one source file, the destination must be a directory and end with a /`);
  }
  const destAbsolute = await secureJoin(rootfs, dest);
  // A wildcard that matched several paths copies them into the destination directory.
  const destIsDirectory = wantsDirectory || sources.length > 1 || (await isDirectory(destAbsolute));
  const createdDirOwner = target.owner ?? ROOT_OWNER;
  for (const source of sources) {
    if (source.entry.type === 'dir') {
      await ensureDirectory(destAbsolute, rootfs, createdDirOwner);
      await copyDirectoryContents(context, source.entry.path, destAbsolute, rootfs, target, new Map());
    } else {
      const fileTarget = destIsDirectory ? path.join(destAbsolute, source.name) : destAbsolute;
      await ensureDirectory(path.dirname(fileTarget), rootfs, createdDirOwner);
      await copyEntry(context, source.entry, fileTarget, target);
    }
  }
}

/** The destination as an absolute image path (a relative one is relative to WORKDIR). */
export function destinationPath(target: Pick<CopyTarget, 'dest' | 'workdir'>): string {
  return path.posix.isAbsolute(target.dest) ? target.dest : path.posix.join(target.workdir || '/', target.dest);
}

/** `COPY a b dir/`: a destination written as a directory is one, whatever the image holds there. */
export function wantsDirectoryDestination(target: Pick<CopyTarget, 'dest'>): boolean {
  return target.dest.endsWith('/') || target.dest.endsWith('/.') || target.dest === '.';
}

/**
 * Creates a directory and its missing parents inside an image root, each new one 0755 and
 * owned by `owner` (as BuildKit's MkdirAll does for COPY --chown and for WORKDIR under USER);
 * existing directories are left as they are.
 */
export async function mkdirInRoot(rootfs: string, directory: string, owner: Owner = ROOT_OWNER): Promise<string> {
  const absolute = await secureJoin(rootfs, directory);
  await ensureDirectory(absolute, rootfs, owner);
  return absolute;
}

/** Plain files of one directory are copied this many at a time. */
const PARALLEL_FILES = 16;

/**
 * `to` is already resolved inside the root, so each child is joined to it plainly: copyEntry
 * replaces whatever non-directory stands at a name (a symlink included) and never follows it.
 * `links` maps a source inode to where this copy first wrote it, to link further names to it.
 */
async function copyDirectoryContents(context: BuildContext, from: string, to: string, rootfs: string, target: CopyTarget, links: Map<string, string>): Promise<void> {
  const entries = await context.list(from);
  const plainFiles = entries.filter((entry) => entry.type === 'file' && entry.inode === undefined);
  await mapLimit(plainFiles, PARALLEL_FILES, (entry) => copyPlainFile(context, entry, path.join(to, path.posix.basename(entry.path)), target));
  const copied = new Set(plainFiles);
  for (const entry of entries.filter((candidate) => !copied.has(candidate))) {
    const destination = path.join(to, path.posix.basename(entry.path));
    const linkTo = entry.inode === undefined ? undefined : links.get(entry.inode);
    if (linkTo !== undefined) {
      await replaceWithLink(linkTo, destination);
      continue;
    }
    await copyEntry(context, entry, destination, target);
    if (entry.inode !== undefined) links.set(entry.inode, destination);
    if (entry.type === 'dir') await copyDirectoryContents(context, entry.path, destination, rootfs, target, links);
  }
}

async function replaceWithLink(existingFile: string, destination: string): Promise<void> {
  const existing = await fs.lstat(destination).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`cannot copy a file over the directory ${destination}`);
  if (existing) await fs.unlink(destination);
  await fs.link(existingFile, destination);
}

/** Up to this size a context file on local disk is copied with synchronous calls. */
const SYNC_COPY_MAX_BYTES = 256 * 1024;

/**
 * Small files, by far the most of a source tree, are copied synchronously: five thread-pool
 * round trips and promises per file cost more than the syscalls (measured: COPY of 300 source
 * files 35 ms -> 12 ms). Big files, and contexts without local files, take the async path.
 */
async function copyPlainFile(context: BuildContext, entry: ContextEntry, destination: string, target: CopyTarget): Promise<void> {
  const local = entry.size <= SYNC_COPY_MAX_BYTES ? await context.localPath?.(entry.path, 'no-follow') : null;
  if (!local) return copyEntry(context, entry, destination, target);
  const existing = lstatSync(destination, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new Error(`cannot copy file "${entry.path}" over the directory ${destination}`);
  if (existing) unlinkSync(destination);
  // Read and written whole: copyFileSync's extra calls (fstat, fchmod, copy_file_range probing) made it twice as slow per small file.
  const content = readNoFollow(local);
  writeFileSync(destination, content, { mode: 0o600 });
  target.written?.record(destination, content);
  const owner = ownerOf(entry, target);
  lchownSync(destination, owner.uid, owner.gid);
  chmodSync(destination, modeOf(entry, target.chmod)); // after chown, which clears setuid and setgid
}

/** A symlink swapped in for a listed file fails (ELOOP) instead of being followed out of the context. */
function readNoFollow(file: string): Buffer {
  const fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function ownerOf(entry: ContextEntry, target: CopyTarget): Owner {
  return target.owner ?? { uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
}

async function copyEntry(context: BuildContext, entry: ContextEntry, destination: string, target: CopyTarget): Promise<void> {
  const existing = await fs.lstat(destination).catch(() => null);
  if (existing && !(existing.isDirectory() && entry.type === 'dir')) {
    if (existing.isDirectory()) throw new Error(`cannot copy ${entry.type} "${entry.path}" over the directory ${destination}`);
    await fs.unlink(destination);
  }
  if (entry.type === 'dir') {
    if (!existing) await fs.mkdir(destination);
  } else if (entry.type === 'symlink') {
    await fs.symlink(entry.linkTarget!, destination);
  } else {
    const local = await context.localPath?.(entry.path);
    if (local) await fs.copyFile(local, destination);
    else await pipeline(context.open(entry.path), createWriteStream(destination, { mode: 0o600 }));
  }
  const owner = ownerOf(entry, target);
  await fs.lchown(destination, owner.uid, owner.gid);
  // After chown, which clears setuid and setgid bits.
  if (entry.type !== 'symlink') await fs.chmod(destination, modeOf(entry, target.chmod));
}

function modeOf(entry: ContextEntry, chmod: number | undefined): number {
  return chmod === undefined ? entry.mode : (entry.mode & ~0o777) | (chmod & 0o777);
}

/** Creates missing parents (0755, owned by `owner`) inside the root. */
async function ensureDirectory(absolute: string, rootfs: string, owner: Owner): Promise<void> {
  const relative = path.relative(rootfs, absolute);
  let current = rootfs;
  for (const part of relative.split(path.sep).filter(Boolean)) {
    current = await secureJoin(rootfs, path.relative(rootfs, path.join(current, part)));
    const stat = await fs.lstat(current).catch(() => null);
    if (stat?.isDirectory()) continue;
    if (stat) throw new Error(`cannot create directory /${path.relative(rootfs, current)}: a file is in the way`);
    await fs.mkdir(current);
    await fs.chmod(current, 0o755);
    await fs.lchown(current, owner.uid, owner.gid);
  }
}

async function isDirectory(absolute: string): Promise<boolean> {
  return (await fs.stat(absolute).catch(() => null))?.isDirectory() ?? false;
}
