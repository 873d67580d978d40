import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BlobInfo, BlobStore } from './blob-store';
import { Digest, parseDigest } from './digest';
import { listDirIfExists } from './fs-atomic';
import { collectReachable } from './graph';
import { LayerIndex } from './layer-index';
import { StoreLayout } from './layout';
import { LeaseRegistry } from './leases';
import { SnapshotStore } from './snapshots';
import { TagStore } from './tag-store';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface GcOptions {
  /** Digests to keep with everything they reference: running builds, releases, rollbacks. */
  extraRoots?: readonly Digest[];
  /** Report what would go without removing anything. */
  dryRun?: boolean;
}

export interface GcReport {
  dryRun: boolean;
  removedBlobs: BlobInfo[];
  removedSnapshots: Digest[];
  removedTempFiles: string[];
  removedStaleLeases: string[];
  bytesFreed: number;
}

export interface GcPolicy {
  /** Unreferenced blobs and snapshots younger than this stay, so a writer has time to tag or lease them. */
  graceMs: number;
  /** Temp files older than this are leftovers of crashed writers. */
  tempMaxAgeMs: number;
}

export const DEFAULT_GC_POLICY: GcPolicy = { graceMs: 10 * 60_000, tempMaxAgeMs: 60 * 60_000 };

interface GcParts {
  layout: StoreLayout;
  blobs: BlobStore;
  tags: TagStore;
  layers: LayerIndex;
  snapshots: SnapshotStore;
  leases: LeaseRegistry;
  clock: Clock;
  policy: GcPolicy;
}

/**
 * Mark and sweep. Roots: every digest in index.json, the caller's extra roots and live leases.
 * Runs with index.json locked so tags cannot move underneath it.
 */
export function collectGarbage(parts: GcParts, options: GcOptions = {}): Promise<GcReport> {
  return parts.tags.withIndexLocked(async () => {
    const extraRoots = (options.extraRoots ?? []).map((digest) => parseDigest(digest, 'GC root'));
    const leases = await parts.leases.live();
    const roots = [...(await parts.tags.rootDigests()), ...extraRoots, ...leases.digests];
    const reachable = await collectReachable(parts.blobs, roots);
    // A root may name a snapshot directly (a build leasing the ChainIDs it has mounted).
    roots.forEach((root) => reachable.chainIds.add(root));
    const report: GcReport = {
      dryRun: options.dryRun === true,
      removedBlobs: [],
      removedSnapshots: [],
      removedTempFiles: [],
      removedStaleLeases: [],
      bytesFreed: 0,
    };
    await sweepBlobs(parts, new Set(reachable.blobs.keys()), report);
    await sweepSnapshots(parts, reachable.chainIds, report);
    await sweepTemp(parts, report);
    await sweepStaleLeases(leases.staleFiles, report);
    return report;
  });
}

async function sweepBlobs(parts: GcParts, live: Set<Digest>, report: GcReport): Promise<void> {
  const cutoff = parts.clock.now() - parts.policy.graceMs;
  for (const digest of await parts.blobs.list()) {
    if (live.has(digest)) continue;
    const info = await parts.blobs.statIfExists(digest);
    if (info === null || info.mtimeMs > cutoff) continue;
    report.removedBlobs.push({ digest, size: info.size });
    report.bytesFreed += info.size;
    if (report.dryRun) continue;
    await parts.blobs.remove(digest);
    await parts.layers.forgetDigest(digest);
  }
}

async function sweepSnapshots(parts: GcParts, live: Set<Digest>, report: GcReport): Promise<void> {
  const cutoff = parts.clock.now() - parts.policy.graceMs;
  for (const chainId of await parts.snapshots.list()) {
    if (live.has(chainId)) continue;
    const directory = parts.layout.snapshotDir(chainId);
    const stats = await fs.lstat(directory).catch(() => null);
    if (stats === null || stats.mtimeMs > cutoff) continue;
    report.removedSnapshots.push(chainId);
    report.bytesFreed += await treeSize(directory);
    if (!report.dryRun) await parts.snapshots.remove(chainId);
  }
}

async function sweepTemp(parts: GcParts, report: GcReport): Promise<void> {
  const cutoff = parts.clock.now() - parts.policy.tempMaxAgeMs;
  for (const name of await listDirIfExists(parts.layout.tmpDir)) {
    const path = join(parts.layout.tmpDir, name);
    const stats = await fs.lstat(path).catch(() => null);
    if (stats === null || stats.mtimeMs > cutoff) continue;
    report.removedTempFiles.push(path);
    report.bytesFreed += await treeSize(path);
    if (!report.dryRun) await fs.rm(path, { recursive: true, force: true });
  }
}

async function sweepStaleLeases(staleFiles: string[], report: GcReport): Promise<void> {
  report.removedStaleLeases.push(...staleFiles);
  if (report.dryRun) return;
  for (const path of staleFiles) await fs.rm(path, { force: true });
}

/** Apparent size of a tree, each inode once, for reporting what a removal frees. */
async function treeSize(path: string, seen = new Set<string>()): Promise<number> {
  const stats = await fs.lstat(path).catch(() => null);
  if (stats === null) return 0;
  const inode = `${stats.dev}:${stats.ino}`;
  if (seen.has(inode)) return 0;
  seen.add(inode);
  if (!stats.isDirectory()) return stats.isFile() ? stats.size : 0;
  let total = 0;
  for (const name of await listDirIfExists(path)) total += await treeSize(join(path, name), seen);
  return total;
}
