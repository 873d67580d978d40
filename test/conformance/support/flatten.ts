import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { OPAQUE_MARKER, readTar, TarHeader, WHITEOUT_PREFIX } from '@berth/layer-store';

export type NodeType = 'file' | 'dir' | 'symlink' | 'char-device' | 'block-device' | 'fifo';

/** One inode of the flattened file system; hardlinked paths share the same object. */
export interface Inode {
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  device?: string;
  /** True for a parent directory no layer had an entry for (tar writers normally emit parents). */
  implicit?: boolean;
}

/** The file system an image's layers produce when applied in order: path (no leading '/') -> inode. */
export type FlatFs = Map<string, Inode>;

interface LayerEntry {
  path: string;
  header: TarHeader;
  sha256?: string;
}

/** Applies layer tars (plain or gzipped) bottom first, honouring `.wh.` whiteouts and opaque directories. */
export async function flattenLayers(layers: Buffer[]): Promise<FlatFs> {
  const fs: FlatFs = new Map();
  for (const layer of layers) {
    const entries = await readLayer(layer);
    // Whiteouts hide what the lower layers had; they never hide this layer's own entries.
    for (const entry of entries) applyWhiteout(fs, entry.path);
    for (const entry of entries) if (!isWhiteout(entry.path)) applyEntry(fs, entry);
  }
  return fs;
}

async function readLayer(layer: Buffer): Promise<LayerEntry[]> {
  const gzipped = layer.length > 2 && layer[0] === 0x1f && layer[1] === 0x8b;
  const source = gzipped ? Readable.from([layer]).pipe(createGunzip()) : Readable.from([layer]);
  const entries: LayerEntry[] = [];
  for await (const { header, body } of readTar(source)) {
    const path = normalize(header.path);
    // A layer's own root entry ('./'): neither Docker's nor Berth's layers carry one, and the
    // runtime gives / its attributes, so the image root is outside the comparison (README.md).
    if (path === '') continue;
    let sha256: string | undefined;
    if (header.type === 'file') {
      const hash = createHash('sha256');
      for await (const chunk of body) hash.update(chunk);
      sha256 = hash.digest('hex');
    }
    entries.push({ path, header, sha256 });
  }
  return entries;
}

export function normalize(path: string): string {
  return path.split('/').filter((part) => part !== '' && part !== '.').join('/');
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function parentOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('/'), 0));
}

function isWhiteout(path: string): boolean {
  return baseName(path).startsWith(WHITEOUT_PREFIX);
}

function applyWhiteout(fs: FlatFs, path: string): void {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return;
  const parent = parentOf(path);
  if (name === OPAQUE_MARKER) {
    removeUnder(fs, parent);
    return;
  }
  const hidden = parent === '' ? name.slice(WHITEOUT_PREFIX.length) : `${parent}/${name.slice(WHITEOUT_PREFIX.length)}`;
  fs.delete(hidden);
  removeUnder(fs, hidden);
}

/** Deletes everything below `dir` (not `dir` itself); '' is the root. */
function removeUnder(fs: FlatFs, dir: string): void {
  const prefix = dir === '' ? '' : `${dir}/`;
  for (const path of [...fs.keys()]) if (path.startsWith(prefix) && path !== dir) fs.delete(path);
}

function applyEntry(fs: FlatFs, entry: LayerEntry): void {
  ensureParents(fs, entry.path);
  const existing = fs.get(entry.path);
  const header = entry.header;
  if (header.type === 'hardlink') {
    const target = fs.get(normalize(header.linkTarget ?? ''));
    if (!target) throw new Error(`hardlink ${entry.path} -> ${header.linkTarget}: the target is not in the file system`);
    replace(fs, entry.path, target);
    return;
  }
  const inode = inodeOf(entry);
  if (existing?.type === 'dir' && inode.type === 'dir') {
    Object.assign(existing, inode, { implicit: false });
    return;
  }
  replace(fs, entry.path, inode);
}

function replace(fs: FlatFs, path: string, inode: Inode): void {
  const existing = fs.get(path);
  if (existing?.type === 'dir') removeUnder(fs, path);
  fs.set(path, inode);
}

function ensureParents(fs: FlatFs, path: string): void {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const existing = fs.get(dir);
    if (existing?.type === 'dir') continue;
    if (existing) throw new Error(`layer entry ${path} lies under ${dir}, which is a ${existing.type}`);
    fs.set(dir, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, implicit: true });
  }
}

function inodeOf(entry: LayerEntry): Inode {
  const { header } = entry;
  const base = { mode: header.mode & 0o7777, uid: header.uid, gid: header.gid, size: 0 };
  switch (header.type) {
    case 'file':
      return { ...base, type: 'file', size: header.size, sha256: entry.sha256 };
    case 'directory':
      return { ...base, type: 'dir' };
    case 'symlink':
      return { ...base, type: 'symlink', linkTarget: header.linkTarget ?? '' };
    case 'char-device':
    case 'block-device':
      return { ...base, type: header.type, device: `${header.devMajor ?? 0}:${header.devMinor ?? 0}` };
    case 'fifo':
      return { ...base, type: 'fifo' };
    default:
      throw new Error(`unexpected tar entry type ${header.type} for ${entry.path}`);
  }
}

/** Groups of paths that are one inode (hardlinks), each sorted, groups sorted by first path. */
export function hardlinkGroups(fs: FlatFs): string[][] {
  const byInode = new Map<Inode, string[]>();
  for (const [path, inode] of fs) {
    if (inode.type === 'dir') continue;
    byInode.set(inode, [...(byInode.get(inode) ?? []), path]);
  }
  return [...byInode.values()]
    .filter((paths) => paths.length > 1)
    .map((paths) => paths.sort())
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** One line per inode attribute set, as the comparison shows it: `file 0644 0:0 size=6 sha256=ab12...`. */
export function describeInode(inode: Inode): string {
  const head = `${inode.type} ${inode.mode.toString(8).padStart(4, '0')} ${inode.uid}:${inode.gid}`;
  switch (inode.type) {
    case 'file':
      return `${head} size=${inode.size} sha256=${inode.sha256}`;
    case 'symlink':
      return `${head} -> ${inode.linkTarget}`;
    case 'char-device':
    case 'block-device':
      return `${head} ${inode.device}`;
    default:
      return head;
  }
}
