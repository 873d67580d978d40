import fs from 'node:fs/promises';
import path from 'node:path';
import { DockerignoreMatcher, loadDockerignore } from '@berth/dockerfile';
import { createHash } from 'node:crypto';
import { DigestCache } from './digest-cache';
import { DirectoryContext, dockerignorePredicate } from './directory-context';

/**
 * A directory context filtered by its .dockerignore (`<Dockerfile>.dockerignore` first), with
 * Docker's semantics: an excluded directory stays visible when a `!` pattern re-includes
 * something inside it.
 */
export interface OpenDirectoryContextOptions {
  /** Where to remember file digests between builds of this context (e.g. under the data dir). */
  digestCacheDir?: string;
}

export async function openDirectoryContext(root: string, dockerfilePath = 'Dockerfile', open: OpenDirectoryContextOptions = {}): Promise<DirectoryContext> {
  const absoluteRoot = path.resolve(root);
  const stat = await fs.stat(absoluteRoot).catch(() => null);
  if (!stat?.isDirectory()) throw new Error(`build context ${root} is not a directory`);
  const relativeDockerfile = path.relative(absoluteRoot, path.resolve(absoluteRoot, dockerfilePath));
  const ignoreFile = await loadDockerignore(relativeDockerfile, (file) => readInside(absoluteRoot, file));
  // Docker's client sends the context with every owner reset to 0:0.
  const cacheFile = open.digestCacheDir && path.join(open.digestCacheDir, `${createHash('sha256').update(absoluteRoot).digest('hex').slice(0, 32)}.json`);
  const options = { keepOwners: false, digestCache: cacheFile ? await new DigestCache(cacheFile).load() : undefined };
  if (!ignoreFile) return new DirectoryContext(absoluteRoot, undefined, options);
  const matcher = new DockerignoreMatcher(ignoreFile.patterns);
  return new DirectoryContext(absoluteRoot, dockerignorePredicate(matcher), options);
}

async function readInside(root: string, file: string): Promise<string | null> {
  if (file.startsWith('..')) return null;
  return fs.readFile(path.join(root, file), 'utf8').catch(() => null);
}
