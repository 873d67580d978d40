import { chmodSync, lchownSync, mkdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { BuildContext } from '../context/build-context.port';
import { CopyTarget, destinationPath, wantsDirectoryDestination } from './copy-into-root';
import { ResolvedSource } from './resolve-sources';
import { CopyUp, imagePathParts, LayerDirs, lookupChild, lookupPath, OpaqueProbe, UnionEntry } from './union-lookup';

/**
 * Berth's own file steps (COPY, WORKDIR) can write straight into a step's fresh upper dir instead
 * of through an overlay mount of the image (which costs a mount, an unmount and overlayfs on every
 * file), when the result is the same: every directory on the way is a plain directory of the
 * image (no symlink to follow, no file in the way) and nothing copied lands on an existing
 * directory. The planners below tell, from the snapshots alone, and list the image directories the
 * step writes beneath, which overlayfs would have copied up; null means "mount instead".
 */

/** The directories to carry up before copying `sources` straight into the upper dir, or null. */
export async function planDirectCopy(snapshotsTopFirst: readonly string[], context: BuildContext, sources: ResolvedSource[], target: Pick<CopyTarget, 'dest' | 'workdir'>, probe: OpaqueProbe): Promise<CopyUp[] | null> {
  const dest = destinationPath(target);
  const found = await lookupPath(snapshotsTopFirst, dest, probe);
  if (found === null) return null;
  const { entry } = found;
  const copyUps = [...found.ancestors];
  if (entry.kind === 'absent') return copyUps; // the copy creates the destination, so it writes
  if (entry.kind === 'other') {
    // One file over a file replaces it either way; anything else is an error the mount reports.
    const oneFile = sources.length === 1 && sources[0].entry.type !== 'dir' && !wantsDirectoryDestination(target);
    return oneFile && entry.stats.isFile() ? copyUps : null;
  }
  const destRelative = imagePathParts(dest).join('/');
  if (entry.kind === 'dir') copyUps.push({ path: destRelative, stats: entry.stats });
  let writes = false;
  for (const source of sources) {
    if (source.entry.type === 'dir') {
      const result = await planDirectoryContents(context, source.entry.path, entry.dirs, destRelative, copyUps, probe);
      if (result === null) return null;
      writes ||= result;
    } else {
      if (!canReplace(await lookupChild(entry.dirs, source.name, probe))) return null;
      writes = true;
    }
  }
  // A copy that writes nothing leaves no layer; the mount path already gets that right.
  return writes ? copyUps : null;
}

/**
 * Walks a source directory against the image directory it is copied into, only as deep as both
 * have directories: answers whether the source has anything to copy, or null when it cannot be
 * copied directly. A directory the image already has is copied up (its mode, owner and times kept
 * until the copy sets them), as overlayfs does when the copy changes its owner and mode.
 */
async function planDirectoryContents(context: BuildContext, from: string, dirs: LayerDirs, to: string, copyUps: CopyUp[], probe: OpaqueProbe): Promise<boolean | null> {
  const entries = await context.list(from);
  for (const entry of entries) {
    const name = path.posix.basename(entry.path);
    const existing: UnionEntry = dirs.length === 0 ? { kind: 'absent' } : await lookupChild(dirs, name, probe);
    if (entry.type !== 'dir') {
      if (!canReplace(existing)) return null;
      continue;
    }
    if (existing.kind !== 'dir') continue;
    const child = path.posix.join(to, name);
    copyUps.push({ path: child, stats: existing.stats });
    if ((await planDirectoryContents(context, entry.path, existing.dirs, child, copyUps, probe)) === null) return null;
  }
  return entries.length > 0;
}

/** A file or symlink copied over this replaces it the same way in the upper dir as through the mount. */
function canReplace(existing: UnionEntry): boolean {
  return existing.kind === 'absent' || existing.kind === 'other';
}

/**
 * WORKDIR straight into the upper dir: the image directories above the first missing one, or
 * null. `missing` false: the directory exists and the step changes nothing.
 */
export async function planDirectMkdir(snapshotsTopFirst: readonly string[], directory: string, probe: OpaqueProbe): Promise<{ copyUps: CopyUp[]; missing: boolean } | null> {
  const found = await lookupPath(snapshotsTopFirst, directory, probe);
  if (found === null || (found.entry.kind !== 'absent' && found.entry.kind !== 'dir' && found.entry.kind !== 'root')) return null;
  return { copyUps: found.ancestors, missing: found.entry.kind === 'absent' };
}

/**
 * Recreates the planned image directories in the upper dir as overlayfs copies them up: same mode,
 * owner and times (a copy-up leaves its parent's times as they were; what the step then creates
 * in a directory updates its mtime, as through the mount).
 */
export function carryUp(upperDir: string, copyUps: readonly CopyUp[]): void {
  const unique = [...new Map(copyUps.map((copyUp) => [copyUp.path, copyUp])).values()];
  for (const { path: relative, stats } of unique) {
    const target = path.join(upperDir, relative);
    mkdirSync(target);
    lchownSync(target, stats.uid, stats.gid);
    chmodSync(target, stats.mode & 0o7777);
  }
  for (const { path: relative, stats } of unique) utimesSync(path.join(upperDir, relative), stats.atime, stats.mtime);
}

/** `--chown` given as numbers needs no /etc/passwd or /etc/group from the image. */
export function isNumericChown(chown: string): boolean {
  return /^\d+(:\d+)?$/.test(chown);
}
