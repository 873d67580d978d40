import { createHash } from 'node:crypto';
import { BigIntStats, createReadStream, lstatSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DockerignoreMatcher } from '@berth/dockerfile';
import { secureJoin } from '../fs/secure-join';
import { BuildContext, ContextEntry, ContextEntryType, LocalReader } from './build-context.port';
import { DigestCache } from './digest-cache';

/** Answers whether a context path (relative, '/'-separated) is excluded by .dockerignore. */
export type IgnorePredicate = (relativePath: string, isDirectory: boolean) => boolean;

/** Docker's rule: an excluded directory stays visible while a `!` pattern re-includes something in it. */
export function dockerignorePredicate(matcher: DockerignoreMatcher): IgnorePredicate {
  return (relativePath, isDirectory) =>
    isDirectory ? matcher.isExcluded(relativePath) && !matcher.mustWalk(relativePath) : matcher.isExcluded(relativePath);
}

export interface DirectoryContextOptions {
  /**
   * Report owners (ContextEntry.uid/gid): right for an image's or a stage's files (COPY --from
   * keeps them); a build context is opened without, since Docker copies its files as 0:0.
   */
  keepOwners?: boolean;
  /** Remembers file digests between builds (a build context on disk is hashed once per change). */
  digestCache?: DigestCache;
}

/** A build context that is a directory on disk. */
export class DirectoryContext implements BuildContext {
  readonly description: string;
  private readonly keepOwners: boolean;
  private readonly digestCache?: DigestCache;
  /** Directories already resolved through secureJoin: a context does not change while it is built. */
  private readonly resolvedDirs = new Map<string, Promise<string>>();
  /** lstat of each file stat() saw, reused for the digest cache's check instead of a second stat. */
  private readonly fileStats = new Map<string, BigIntStats>();

  constructor(
    private readonly root: string,
    private readonly isIgnored: IgnorePredicate = () => false,
    options: DirectoryContextOptions = {},
  ) {
    this.description = `directory ${root}`;
    this.keepOwners = options.keepOwners ?? true;
    this.digestCache = options.digestCache;
  }

  async readFile(relativePath: string): Promise<Buffer | null> {
    const entry = await this.stat(relativePath);
    if (!entry || entry.type !== 'file') return null;
    return fs.readFile(await this.absolute(relativePath));
  }

  async stat(relativePath: string): Promise<ContextEntry | null> {
    const clean = cleanContextPath(relativePath);
    if (clean === '') return { path: '', type: 'dir', mode: 0o755, size: 0 };
    const absolute = await this.absolute(clean);
    // Synchronous: thousands of tiny stats cost less on the calling thread than as thread-pool round trips.
    const stats = lstatSync(absolute, { bigint: true, throwIfNoEntry: false });
    if (!stats) return null;
    const type = entryType(stats);
    if (!type || this.isIgnored(clean, type === 'dir')) return null;
    const entry: ContextEntry = { path: clean, type, mode: Number(stats.mode) & 0o7777, size: type === 'file' ? Number(stats.size) : 0 };
    if (type === 'symlink') entry.linkTarget = await fs.readlink(absolute);
    if (this.keepOwners) Object.assign(entry, { uid: Number(stats.uid), gid: Number(stats.gid) });
    if (type === 'file' && stats.nlink > 1n) entry.inode = `${stats.dev}:${stats.ino}`;
    if (type === 'file') this.fileStats.set(absolute, stats);
    return entry;
  }

  async list(relativePath: string): Promise<ContextEntry[]> {
    const clean = cleanContextPath(relativePath);
    const names = (await fs.readdir(await this.resolveDir(clean))).sort();
    const entries = await Promise.all(names.map((name) => this.stat(clean ? `${clean}/${name}` : name)));
    return entries.filter((entry): entry is ContextEntry => entry !== null);
  }

  open(relativePath: string): Readable {
    const stream = new PassThrough();
    this.absolute(cleanContextPath(relativePath)).then(
      (absolute) => createReadStream(absolute).on('error', (error) => stream.destroy(error)).pipe(stream),
      (error: Error) => stream.destroy(error),
    );
    return stream;
  }

  async localPath(relativePath: string, reader: LocalReader = 'follow'): Promise<string | null> {
    // A regular file stat() or list() has seen (so not ignored) is not stat'ed again for a reader that refuses symlinks.
    if (reader === 'no-follow') {
      const known = await this.absolute(cleanContextPath(relativePath));
      if (this.fileStats.has(known)) return known;
    }
    const entry = await this.stat(relativePath);
    return entry?.type === 'file' ? this.absolute(cleanContextPath(relativePath)) : null;
  }

  async contentDigest(relativePath: string): Promise<string> {
    if (this.digestCache) {
      const absolute = await this.absolute(cleanContextPath(relativePath));
      return this.digestCache.digest(absolute, () => this.hashFile(relativePath), this.fileStats.get(absolute));
    }
    return this.hashFile(relativePath);
  }

  /** Saves what the digest cache learnt; the builder calls it when the build is over. */
  async close(): Promise<void> {
    await this.digestCache?.save();
  }

  private async hashFile(relativePath: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(this.open(relativePath), hash);
    return `sha256:${hash.digest('hex')}`;
  }

  /**
   * The real path of an entry, its last component not followed. Symlinks on the way are
   * resolved as if the root were '/', so none of them can lead out of the context.
   */
  private async absolute(clean: string): Promise<string> {
    if (clean === '') return this.root;
    return path.join(await this.resolveDir(path.posix.dirname(clean)), path.posix.basename(clean));
  }

  private resolveDir(clean: string): Promise<string> {
    let resolved = this.resolvedDirs.get(clean);
    if (resolved === undefined) {
      resolved = secureJoin(this.root, clean);
      this.resolvedDirs.set(clean, resolved);
    }
    return resolved;
  }
}

/**
 * Normalises a path given relative to the context root. A path that would leave the
 * context (through '..') is refused: the context is all a build may read.
 */
export function cleanContextPath(relativePath: string): string {
  const normalized = path.posix.normalize(`/${relativePath}`);
  const escapes = relativePath.split('/').reduce((depth, part) => {
    if (depth < 0) return depth;
    if (part === '..') return depth - 1;
    return part === '' || part === '.' ? depth : depth + 1;
  }, 0);
  if (escapes < 0) throw new ContextEscapeError(relativePath);
  return normalized.slice(1);
}

export class ContextEscapeError extends Error {
  constructor(readonly requestedPath: string) {
    super(`"${requestedPath}" is outside the build context; COPY and ADD can only read files inside it`);
    this.name = 'ContextEscapeError';
  }
}

function entryType(stats: BigIntStats): ContextEntryType | null {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  return null;
}
