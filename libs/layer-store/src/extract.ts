import * as fs from 'node:fs';
import { join } from 'node:path';
import { isNodeError, LayerStoreError, LayerStoreErrorCode } from './errors';
import { SystemTools } from './system-tools';
import { TarHeader } from './tar/tar-header';
import { readTar } from './tar/tar-reader';
import { OPAQUE_MARKER, OVERLAY_OPAQUE_XATTR, RESTORED_XATTRS, WHITEOUT_META_PREFIX, WHITEOUT_PREFIX } from './whiteouts';

/*
 * Filesystem calls here are synchronous on purpose: an entry costs about eight metadata syscalls,
 * and a trip through libuv's thread pool adds ~40-60 us to each. Measured on a 5,586-entry layer:
 * 5.4-6.8 s synchronous, 8.7-10.1 s with fs.promises, 4.8 s for GNU tar. Each call blocks for one
 * syscall only; file data is still written chunk by chunk as it arrives from the stream.
 */

interface ExtractState {
  dest: string;
  tools: SystemTools;
  /** Symlinks this extraction created; nothing is ever written through one. */
  symlinks: Set<string>;
  /** Directory metadata is applied last, deepest first, since creating children changes mtimes. */
  directories: Map<string, TarHeader>;
  /** Directories known to exist with their real path inside dest; cleared when anything is removed. */
  verifiedDirectories: Set<string>;
  /** Paths this extraction created, so only those need a check for an earlier entry to replace. */
  created: Set<string>;
  realDest: string;
}

const CREATE_FILE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Unpacks a layer tar into an empty directory as an overlayfs lower dir: `.wh.x` becomes a 0/0
 * character device, `.wh..wh..opq` the opaque xattr. Refuses entries that would land outside `dest`.
 */
export async function extractLayerTar(source: AsyncIterable<Uint8Array>, dest: string, tools: SystemTools): Promise<void> {
  const state: ExtractState = {
    dest,
    tools,
    symlinks: new Set(),
    directories: new Map(),
    verifiedDirectories: new Set(['']),
    created: new Set(),
    realDest: fs.realpathSync.native(dest),
  };
  for await (const { header, body } of readTar(source)) {
    const path = safeRelativePath(header.path);
    if (path === '') continue; // the layer's own root entry: the snapshot root keeps its own metadata
    checkNoSymlinkAncestor(state, path, header.path);
    if (await applyWhiteout(state, path)) continue;
    ensureParentDirectory(state, path);
    clearPathFor(state, path, header.type);
    await createEntry(state, path, header, body);
  }
  await finishDirectories(state);
}

/** Normalises an archive path to `a/b/c`; refuses absolute paths and `..` outright rather than guessing. */
export function safeRelativePath(archivePath: string): string {
  if (archivePath.includes('\0')) throw hostile(archivePath, 'it contains a NUL byte');
  if (archivePath.startsWith('/')) throw hostile(archivePath, 'it is an absolute path');
  const parts = archivePath.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw hostile(archivePath, 'it contains a ".." component');
  return parts.join('/');
}

function checkNoSymlinkAncestor(state: ExtractState, path: string, archivePath: string): void {
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    if (state.symlinks.has(path.slice(0, slash))) {
      throw hostile(archivePath, `it would be written through the symlink ${path.slice(0, slash)}`);
    }
  }
}

async function applyWhiteout(state: ExtractState, path: string): Promise<boolean> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (!name.startsWith(WHITEOUT_PREFIX)) return false;
  const parent = path.slice(0, Math.max(path.lastIndexOf('/'), 0));
  if (name === OPAQUE_MARKER) {
    ensureParentDirectory(state, path);
    await state.tools.setXattr(join(state.dest, parent), OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
    return true;
  }
  if (name.startsWith(WHITEOUT_META_PREFIX)) return true;
  const hidden = parent === '' ? name.slice(WHITEOUT_PREFIX.length) : `${parent}/${name.slice(WHITEOUT_PREFIX.length)}`;
  ensureParentDirectory(state, hidden);
  clearPathFor(state, hidden, 'char-device');
  await state.tools.makeNode(join(state.dest, hidden), 'char', 0, 0);
  state.created.add(hidden);
  return true;
}

/**
 * Creates missing parents, then checks the parent's real path lies inside dest: defence in depth
 * behind the symlink bookkeeping, which already refuses any path through a symlink.
 */
function ensureParentDirectory(state: ExtractState, path: string): void {
  const parent = path.slice(0, Math.max(path.lastIndexOf('/'), 0));
  if (state.verifiedDirectories.has(parent)) return;
  try {
    fs.mkdirSync(join(state.dest, parent), { recursive: true, mode: 0o755 });
  } catch (error) {
    if (!isNodeError(error, 'ENOTDIR') && !isNodeError(error, 'EEXIST')) throw error;
    throw new LayerStoreError(
      LayerStoreErrorCode.CorruptArchive,
      `the layer puts ${path} under something that is not a directory; rebuild the layer`,
      { path },
    );
  }
  const real = fs.realpathSync.native(join(state.dest, parent));
  if (real !== state.realDest && !real.startsWith(`${state.realDest}/`)) {
    throw hostile(path, `its directory resolves to ${real}, outside the extraction root`);
  }
  for (let at = parent; at !== ''; at = at.slice(0, Math.max(at.lastIndexOf('/'), 0))) {
    state.verifiedDirectories.add(at);
    state.created.add(at);
  }
}

/** A later entry replaces an earlier one, except that a directory stays a directory. */
function clearPathFor(state: ExtractState, path: string, type: TarHeader['type']): void {
  if (!state.created.has(path)) return;
  const absolute = join(state.dest, path);
  const existing = fs.lstatSync(absolute, { throwIfNoEntry: false });
  if (existing === undefined || (existing.isDirectory() && type === 'directory')) return;
  fs.rmSync(absolute, { recursive: true, force: true });
  state.verifiedDirectories = new Set(['']);
  state.symlinks.delete(path);
  state.directories.delete(path);
}

async function createEntry(state: ExtractState, path: string, header: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const absolute = join(state.dest, path);
  state.created.add(path);
  switch (header.type) {
    case 'directory':
      if (fs.lstatSync(absolute, { throwIfNoEntry: false }) === undefined) fs.mkdirSync(absolute, { mode: 0o700 });
      state.directories.set(path, header);
      return;
    case 'file':
      await writeFileBody(absolute, body);
      return applyMetadata(state, absolute, header);
    case 'symlink':
      fs.symlinkSync(header.linkTarget ?? '', absolute);
      state.symlinks.add(path);
      fs.lchownSync(absolute, header.uid, header.gid);
      fs.lutimesSync(absolute, header.mtime, header.mtime);
      return;
    case 'hardlink':
      return createHardlink(state, path, header);
    default:
      await state.tools.makeNode(absolute, nodeKind(header.type), header.devMajor ?? 0, header.devMinor ?? 0);
      return applyMetadata(state, absolute, header);
  }
}

async function writeFileBody(absolute: string, body: AsyncIterable<Buffer>): Promise<void> {
  const fd = fs.openSync(absolute, CREATE_FILE_FLAGS, 0o600);
  try {
    for await (const chunk of body) {
      for (let offset = 0; offset < chunk.length; ) offset += fs.writeSync(fd, chunk, offset);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function createHardlink(state: ExtractState, path: string, header: TarHeader): void {
  const target = safeRelativePath(header.linkTarget ?? '');
  checkNoSymlinkAncestor(state, target, header.linkTarget ?? '');
  const targetStats = target === '' ? undefined : fs.lstatSync(join(state.dest, target), { throwIfNoEntry: false });
  if (targetStats === undefined || targetStats.isDirectory()) {
    throw new LayerStoreError(
      LayerStoreErrorCode.CorruptArchive,
      `hardlink ${header.path} points at ${header.linkTarget}, which is not a file earlier in this layer; rebuild the layer`,
      { path: header.path, target: header.linkTarget },
    );
  }
  fs.linkSync(join(state.dest, target), join(state.dest, path));
  // A hardlink to a symlink is a symlink too, and must not be written through either.
  if (targetStats.isSymbolicLink()) state.symlinks.add(path);
}

/** Order matters: chown clears setuid bits and file capabilities, so mode and xattrs come after it. */
async function applyMetadata(state: ExtractState, absolute: string, header: TarHeader): Promise<void> {
  fs.chownSync(absolute, header.uid, header.gid);
  fs.chmodSync(absolute, header.mode & 0o7777);
  for (const [name, value] of header.xattrs ?? []) {
    if (RESTORED_XATTRS.includes(name)) await state.tools.setXattr(absolute, name, value);
  }
  fs.utimesSync(absolute, header.mtime, header.mtime);
}

async function finishDirectories(state: ExtractState): Promise<void> {
  const deepestFirst = [...state.directories.keys()].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const path of deepestFirst) {
    await applyMetadata(state, join(state.dest, path), state.directories.get(path) as TarHeader);
  }
}

function nodeKind(type: TarHeader['type']): 'char' | 'block' | 'fifo' {
  return type === 'char-device' ? 'char' : type === 'block-device' ? 'block' : 'fifo';
}

function hostile(archivePath: string, reason: string): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.HostileArchive,
    `refusing tar entry ${JSON.stringify(archivePath.slice(0, 300))}: ${reason}. ` +
      'The layer was crafted to write outside its directory; do not use this image',
    { path: archivePath.slice(0, 300), reason },
  );
}
