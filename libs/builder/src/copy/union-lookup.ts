import { lstatSync, Stats } from 'node:fs';
import path from 'node:path';

/**
 * A directory of the image as overlayfs would merge it: the same path in each snapshot that holds
 * it as a directory, top-most layer first. The first is visible; each further one only while none
 * above it is opaque (an xattr: asked of the OpaqueProbe when it matters).
 */
export type LayerDirs = readonly string[];

/** Which snapshot directories carry overlay's opaque marker. */
export type OpaqueProbe = (dirs: readonly string[]) => Promise<boolean[]>;

/** What the image holds at a path, told from its snapshots without mounting them. */
export type UnionEntry =
  | { kind: 'absent' }
  | { kind: 'dir'; stats: Stats; dirs: LayerDirs }
  /** A file, symlink, device or fifo (when found below the top-most layer: that, or absent). */
  | { kind: 'other'; stats: Stats };

/** An image path's components: '/'-separated, empty and '.' parts dropped. */
export function imagePathParts(imagePath: string): string[] {
  return imagePath.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Looks `name` up in a merged directory as overlayfs does: the top-most layer holding the name
 * decides; a whiteout (0/0 char device) deletes it. A name found only below the top-most layer
 * is hidden if a directory above is opaque: for a directory that is asked of the probe; a
 * whiteout means absent either way; a file or symlink there is reported as `other` (absent or
 * that file: the same to a step that puts something new at the name).
 */
export async function lookupChild(dirs: LayerDirs, name: string, probe: OpaqueProbe): Promise<UnionEntry> {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`not a file name: ${name}`);
  for (const [index, dir] of dirs.entries()) {
    const stats = lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    if (stats === undefined) continue;
    if (isWhiteout(stats)) return { kind: 'absent' };
    if (!stats.isDirectory()) return { kind: 'other', stats };
    if (index > 0 && (await probe(dirs.slice(0, index))).some(Boolean)) return { kind: 'absent' };
    return { kind: 'dir', stats, dirs: [path.join(dir, name), ...mergedBelow(dirs.slice(index + 1), name)] };
  }
  return { kind: 'absent' };
}

/** The lower layers' directories merged under a directory: down to a layer where the name is not one. */
function mergedBelow(dirs: LayerDirs, name: string): string[] {
  const merged: string[] = [];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    const stats = lstatSync(candidate, { throwIfNoEntry: false });
    if (stats === undefined) continue;
    if (!stats.isDirectory()) break;
    merged.push(candidate);
  }
  return merged;
}

function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

/** A directory the union holds that a step writing beneath it must first carry into its upper dir. */
export interface CopyUp {
  /** Image path, '/'-separated, no leading '/'. */
  path: string;
  stats: Stats;
}

export interface PathLookup {
  /** The directories above the path, all present in the union. */
  ancestors: CopyUp[];
  /** What is at the path; the root is a directory without stats. */
  entry: UnionEntry | { kind: 'root'; dirs: LayerDirs };
}

/**
 * Resolves an absolute image path component by component. Null when something on the way is not
 * a plain directory (a symlink the union would follow, a file in the way).
 * Below an absent directory everything is absent.
 */
export async function lookupPath(snapshotsTopFirst: readonly string[], imagePath: string, probe: OpaqueProbe): Promise<PathLookup | null> {
  const parts = imagePathParts(imagePath);
  if (parts.includes('..')) return null;
  const ancestors: CopyUp[] = [];
  // The root: every snapshot's top directory (none for FROM scratch).
  let entry: PathLookup['entry'] = { kind: 'root', dirs: snapshotsTopFirst };
  for (const [index, part] of parts.entries()) {
    if (entry.kind !== 'root' && entry.kind !== 'dir') return null;
    if (entry.kind === 'dir') ancestors.push({ path: parts.slice(0, index).join('/'), stats: entry.stats });
    entry = await lookupChild(entry.dirs, part, probe);
    if (entry.kind === 'absent') break;
  }
  return { ancestors, entry };
}
