import { createHash, Hash } from 'node:crypto';
import { BuildContext, ContextEntry } from '../context/build-context.port';
import { ResolvedSource } from '../copy/resolve-sources';

/**
 * The content checksum of COPY/ADD sources: names, types, modes, sizes, link targets and file
 * contents, never mtimes or owners, so a fresh clone of the same commit hits the cache.
 */
export async function sourcesChecksum(context: BuildContext, sources: ResolvedSource[]): Promise<string> {
  const hash = createHash('sha256');
  for (const source of sources) {
    hash.update(`source\0${source.name}\0`);
    await hashEntry(context, source.entry, hash);
  }
  return hash.digest('hex');
}

async function hashEntry(context: BuildContext, entry: ContextEntry, hash: Hash): Promise<void> {
  hash.update(`${entry.type}\0${entry.mode.toString(8)}\0${entry.size}\0${entry.linkTarget ?? ''}\0`);
  if (entry.type === 'file') hash.update(`${await context.contentDigest(entry.path)}\0`);
  if (entry.type !== 'dir') return;
  for (const child of await context.list(entry.path)) {
    hash.update(`child\0${child.path.slice(child.path.lastIndexOf('/') + 1)}\0`);
    await hashEntry(context, child, hash);
  }
}
