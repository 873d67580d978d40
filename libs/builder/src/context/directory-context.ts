import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildContext, ContextEntry, ContextEntryType } from './build-context.port';

/** Answers whether a context path (relative, '/'-separated) is excluded by .dockerignore. */
export type IgnorePredicate = (relativePath: string, isDirectory: boolean) => boolean;

/** A build context that is a directory on disk. */
export class DirectoryContext implements BuildContext {
  readonly description: string;

  constructor(
    private readonly root: string,
    private readonly isIgnored: IgnorePredicate = () => false,
  ) {
    this.description = `directory ${root}`;
  }

  async readFile(relativePath: string): Promise<Buffer | null> {
    const entry = await this.stat(relativePath);
    if (!entry || entry.type !== 'file') return null;
    return fs.readFile(this.absolute(relativePath));
  }

  async stat(relativePath: string): Promise<ContextEntry | null> {
    const clean = cleanContextPath(relativePath);
    if (clean === '') return { path: '', type: 'dir', mode: 0o755, size: 0 };
    const stats = await fs.lstat(this.absolute(clean)).catch(() => null);
    if (!stats) return null;
    const type = entryType(stats);
    if (!type || this.isIgnored(clean, type === 'dir')) return null;
    const linkTarget = type === 'symlink' ? await fs.readlink(this.absolute(clean)) : undefined;
    return { path: clean, type, mode: stats.mode & 0o7777, size: type === 'file' ? stats.size : 0, linkTarget };
  }

  async list(relativePath: string): Promise<ContextEntry[]> {
    const clean = cleanContextPath(relativePath);
    const names = (await fs.readdir(this.absolute(clean))).sort();
    const entries = await Promise.all(names.map((name) => this.stat(clean ? `${clean}/${name}` : name)));
    return entries.filter((entry): entry is ContextEntry => entry !== null);
  }

  open(relativePath: string): Readable {
    return createReadStream(this.absolute(cleanContextPath(relativePath)));
  }

  async contentDigest(relativePath: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(this.open(relativePath), hash);
    return `sha256:${hash.digest('hex')}`;
  }

  private absolute(clean: string): string {
    return path.join(this.root, clean);
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

function entryType(stats: import('node:fs').Stats): ContextEntryType | null {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  return null;
}
