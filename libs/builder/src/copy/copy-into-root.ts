import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BuildContext, ContextEntry } from '../context/build-context.port';
import { secureJoin } from '../fs/secure-join';
import { ResolvedSource } from './resolve-sources';

export interface CopyTarget {
  /** The destination as written in the Dockerfile (after expansion). */
  dest: string;
  /** The image's WORKDIR, against which a relative destination is resolved. */
  workdir: string;
  owner: { uid: number; gid: number };
  /** --chmod: replaces the mode of every copied file and directory. */
  chmod?: number;
}

/**
 * Copies resolved sources into an image root with Docker's rules: a directory source copies
 * its contents; several sources need a directory destination ending in '/'; every path is
 * resolved inside the root, so no symlink in the image can redirect a write outside it.
 */
export async function copyIntoRoot(context: BuildContext, sources: ResolvedSource[], rootfs: string, target: CopyTarget): Promise<void> {
  const dest = path.posix.isAbsolute(target.dest) ? target.dest : path.posix.join(target.workdir || '/', target.dest);
  const wantsDirectory = target.dest.endsWith('/') || target.dest.endsWith('/.') || target.dest === '.';
  if (new Set(sources.map((source) => source.requested)).size > 1 && !wantsDirectory) {
    throw new Error(`When using COPY with more than one source file, the destination must be a directory and end with a /`);
  }
  const destAbsolute = await secureJoin(rootfs, dest);
  // A wildcard that matched several paths copies them into the destination directory.
  const destIsDirectory = wantsDirectory || sources.length > 1 || (await isDirectory(destAbsolute));
  for (const source of sources) {
    if (source.entry.type === 'dir') {
      await ensureDirectory(destAbsolute, rootfs);
      await copyDirectoryContents(context, source.entry.path, destAbsolute, rootfs, target);
    } else {
      const fileTarget = destIsDirectory ? path.join(destAbsolute, source.name) : destAbsolute;
      await ensureDirectory(path.dirname(fileTarget), rootfs);
      await copyEntry(context, source.entry, fileTarget, target);
    }
  }
}

async function copyDirectoryContents(context: BuildContext, from: string, to: string, rootfs: string, target: CopyTarget): Promise<void> {
  for (const entry of await context.list(from)) {
    const destination = await secureJoin(rootfs, path.relative(rootfs, path.join(to, path.posix.basename(entry.path))));
    await copyEntry(context, entry, destination, target);
    if (entry.type === 'dir') await copyDirectoryContents(context, entry.path, destination, rootfs, target);
  }
}

async function copyEntry(context: BuildContext, entry: ContextEntry, destination: string, target: CopyTarget): Promise<void> {
  const existing = await fs.lstat(destination).catch(() => null);
  if (existing && !(existing.isDirectory() && entry.type === 'dir')) {
    if (existing.isDirectory()) throw new Error(`cannot copy ${entry.type} "${entry.path}" over the directory ${destination}`);
    await fs.unlink(destination);
  }
  const mode = target.chmod ?? entry.mode;
  if (entry.type === 'dir') {
    if (!existing) await fs.mkdir(destination);
    await fs.chmod(destination, mode);
  } else if (entry.type === 'symlink') {
    await fs.symlink(entry.linkTarget!, destination);
  } else {
    await pipeline(context.open(entry.path), createWriteStream(destination, { mode: 0o600 }));
    await fs.chmod(destination, mode);
  }
  await fs.lchown(destination, target.owner.uid, target.owner.gid);
}

/** Creates missing parents (root-owned, 0755) inside the root. */
async function ensureDirectory(absolute: string, rootfs: string): Promise<void> {
  const relative = path.relative(rootfs, absolute);
  let current = rootfs;
  for (const part of relative.split(path.sep).filter(Boolean)) {
    current = await secureJoin(rootfs, path.relative(rootfs, path.join(current, part)));
    const stat = await fs.lstat(current).catch(() => null);
    if (!stat) await fs.mkdir(current, { mode: 0o755 });
    else if (!stat.isDirectory()) throw new Error(`cannot create directory /${path.relative(rootfs, current)}: a file is in the way`);
  }
}

async function isDirectory(absolute: string): Promise<boolean> {
  return (await fs.stat(absolute).catch(() => null))?.isDirectory() ?? false;
}
