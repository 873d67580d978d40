import { createHash, Hash } from 'node:crypto';
import { BuildContext, ContextEntry } from '../context/build-context.port';
import { ResolvedSource } from '../copy/resolve-sources';
import { mapLimit } from '../fs/map-limit';

/**
 * Bumped whenever what COPY/ADD write for the same sources changes (2: setuid kept through
 * --chown, --chmod only sets 0777 bits, parents owned by --chown, hardlinks kept), so that cached
 * layers made by the old rules are not reused.
 */
const COPY_SEMANTICS = 'copy-semantics-3';

/**
 * The content checksum of COPY/ADD sources: names, types, modes, sizes, link targets, file
 * contents and which files are hardlinks of each other (by the first path of each inode), never
 * mtimes or owners, so a fresh clone of the same commit hits the cache.
 */
export async function sourcesChecksum(context: BuildContext, sources: ResolvedSource[]): Promise<string> {
  const hash = createHash('sha256').update(`${COPY_SEMANTICS}\0`);
  for (const source of sources) {
    hash.update(`source\0${source.name}\0`);
    await hashEntry(context, source.entry, hash, new Map());
  }
  return hash.digest('hex');
}

/** Files of one directory are read this many at a time; the hash still takes them in order. */
const READ_AHEAD = 16;

async function hashEntry(context: BuildContext, entry: ContextEntry, hash: Hash, inodes: Map<string, string>, digest?: string): Promise<void> {
  hash.update(`${entry.type}\0${entry.mode.toString(8)}\0${entry.size}\0${entry.linkTarget ?? ''}\0`);
  const firstName = entry.inode === undefined ? undefined : inodes.get(entry.inode);
  if (firstName !== undefined) hash.update(`hardlink\0${firstName}\0`);
  else if (entry.inode !== undefined) inodes.set(entry.inode, entry.path);
  if (entry.type === 'file' && firstName === undefined) hash.update(`${digest ?? (await context.contentDigest(entry.path))}\0`);
  if (entry.type !== 'dir') return;
  const children = await context.list(entry.path);
  // Hardlinked files are hashed in order (the first name carries the content), the rest ahead of time.
  const digests = await mapLimit(children, READ_AHEAD, (child) =>
    child.type === 'file' && child.inode === undefined ? context.contentDigest(child.path) : Promise.resolve(undefined),
  );
  for (const [index, child] of children.entries()) {
    hash.update(`child\0${child.path.slice(child.path.lastIndexOf('/') + 1)}\0`);
    await hashEntry(context, child, hash, inodes, digests[index]);
  }
}
