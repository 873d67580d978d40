import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { BlobStore } from './blob-store';
import { canonicalJson } from './canonical-json';
import { Digest, digestFromHex, nextChainId, parseDigest } from './digest';
import { isNodeError, LayerStoreError, LayerStoreErrorCode } from './errors';
import { extractLayerTar } from './extract';
import { fsyncDir, listDirIfExists, pathExists, removeQuietly, tempPath } from './fs-atomic';
import { LayerIndex } from './layer-index';
import { openLayerTar } from './layer-stream';
import { StoreLayout } from './layout';
import { SystemTools } from './system-tools';

export interface Snapshot {
  chainId: Digest;
  /** The directory to use as an overlay lowerdir. */
  path: string;
}

/** What snapshot.json next to `fs/` records, for humans and for checks. */
interface SnapshotMetadata {
  chainId: Digest;
  parent: Digest | null;
  diffId: Digest;
  /** Null for a snapshot adopted while its blob was still being stored (the layer index maps the DiffID). */
  layer: Digest | null;
}

/** Extracted layers keyed by ChainID under `berth/snapshots/<hex>/fs`, ready to stack as overlay lower dirs. */
export class SnapshotStore {
  constructor(
    private readonly layout: StoreLayout,
    private readonly blobs: BlobStore,
    private readonly layers: LayerIndex,
    private readonly tools: SystemTools,
  ) {}

  async find(chainId: Digest): Promise<Snapshot | null> {
    const path = this.layout.snapshotFsDir(parseDigest(chainId, 'ChainID'));
    return (await pathExists(path)) ? { chainId, path } : null;
  }

  /**
   * Unpacks a layer blob as the snapshot for `chainId`, whose parent is `parentChainId` (omit for a
   * base layer). The ChainID is checked against the DiffID hashed while unpacking; nothing appears
   * under the ChainID unless everything succeeded.
   */
  async extractLayer(chainId: Digest, layerDigest: Digest, parentChainId?: Digest): Promise<Snapshot> {
    parseDigest(chainId, 'ChainID');
    parseDigest(layerDigest, 'layer digest');
    const existing = await this.find(chainId);
    if (existing !== null) return existing;
    const staging = tempPath(this.layout.tmpDir, 'snapshot');
    try {
      await fs.mkdir(join(staging, 'fs'), { recursive: true, mode: 0o755 });
      const diffId = await this.unpackHashing(layerDigest, join(staging, 'fs'));
      checkChain(chainId, parentChainId, diffId, layerDigest);
      const metadata: SnapshotMetadata = { chainId, parent: parentChainId ?? null, diffId, layer: layerDigest };
      await fs.writeFile(join(staging, 'snapshot.json'), canonicalJson(metadata), { flush: true });
      await this.publish(staging, chainId);
      await this.layers.record({ diffId, digest: layerDigest, size: (await this.blobs.stat(layerDigest)).size });
      return { chainId, path: this.layout.snapshotFsDir(chainId) };
    } finally {
      await removeQuietly(staging);
    }
  }

  /**
   * Publishes a directory that already holds a layer in lower-dir form (a build step's overlay
   * upper dir: 0/0 whiteouts, opaque xattrs) as the snapshot for `chainId`, by renaming it:
   * the builder saves unpacking the layer it has just packed. A snapshot that exists wins and
   * `dir` is left to the caller. `digest` may be left out while the blob is still being stored;
   * then `dir` must be on the store's file system (with it, a dir elsewhere is extracted from the blob).
   */
  async adopt(chainId: Digest, dir: string, layer: { parent?: Digest; diffId: Digest; digest?: Digest }): Promise<Snapshot> {
    checkChain(chainId, layer.parent, layer.diffId, layer.digest ?? layer.diffId);
    const existing = await this.find(chainId);
    if (existing !== null) return existing;
    const staging = tempPath(this.layout.tmpDir, 'snapshot');
    try {
      await fs.mkdir(staging, { recursive: true });
      try {
        await fs.rename(dir, join(staging, 'fs'));
      } catch (error) {
        if (isNodeError(error, 'EXDEV') && layer.digest !== undefined) return this.extractLayer(chainId, layer.digest, layer.parent);
        throw error;
      }
      const metadata: SnapshotMetadata = { chainId, parent: layer.parent ?? null, diffId: layer.diffId, layer: layer.digest ?? null };
      // No fsync: on ext4 it commits the journal and with it the whole step's files (measured 7-14 ms
      // a layer), yet makes none of their content durable; snapshots are rebuildable from blobs.
      await fs.writeFile(join(staging, 'snapshot.json'), canonicalJson(metadata));
      await this.publish(staging, chainId, { durable: false });
      return { chainId, path: this.layout.snapshotFsDir(chainId) };
    } finally {
      await removeQuietly(staging);
    }
  }

  /** Snapshots for an image's layers, bottom first, extracting those that are missing. */
  async prepare(layerDigests: readonly Digest[]): Promise<Snapshot[]> {
    const snapshots: Snapshot[] = [];
    let parent: Digest | undefined;
    for (const layerDigest of layerDigests) {
      const diffId = await this.diffIdOf(layerDigest);
      const chainId = nextChainId(parent, diffId);
      snapshots.push((await this.find(chainId)) ?? (await this.extractLayer(chainId, layerDigest, parent)));
      parent = chainId;
    }
    return snapshots;
  }

  /** The DiffID from the mapping, or by hashing the uncompressed layer once and remembering it. */
  async diffIdOf(layerDigest: Digest): Promise<Digest> {
    const known = await this.layers.findByDigest(layerDigest);
    if (known !== null) return known.diffId;
    const hash = createHash('sha256');
    for await (const chunk of await openLayerTar(this.blobs, layerDigest)) hash.update(chunk);
    const diffId = `sha256:${hash.digest('hex')}` as Digest;
    await this.layers.record({ diffId, digest: layerDigest, size: (await this.blobs.stat(layerDigest)).size });
    return diffId;
  }

  async list(): Promise<Digest[]> {
    const names = await listDirIfExists(this.layout.snapshotsDir);
    return names.map(digestFromHex).filter((digest): digest is Digest => digest !== null);
  }

  /**
   * Snapshot files are never fsynced (they can be unpacked again from their blobs, which are), so
   * after a reboot, which may have been a power loss, none written before it is trusted: those
   * are removed and the next build unpacks them anew. Snapshots of this boot are left alone, so
   * processes opening the store at once cannot remove what another has just made.
   */
  async removeFromEarlierBoots(bootTimeMs: number): Promise<number> {
    let removed = 0;
    for (const chainId of await this.list()) {
      const written = await fs.stat(join(this.layout.snapshotDir(chainId), 'snapshot.json')).catch(() => null);
      if (written !== null && written.mtimeMs >= bootTimeMs) continue;
      await this.remove(chainId);
      removed++;
    }
    return removed;
  }

  /** Moves the snapshot out of its name first, so a half-deleted tree is never found under a ChainID. */
  async remove(chainId: Digest): Promise<void> {
    const doomed = tempPath(this.layout.tmpDir, 'snapshot-removed');
    try {
      await fs.rename(this.layout.snapshotDir(chainId), doomed);
    } catch (error) {
      if (isNodeError(error, 'ENOENT')) return;
      throw error;
    }
    await fs.rm(doomed, { recursive: true, force: true });
  }

  private async unpackHashing(layerDigest: Digest, dest: string): Promise<Digest> {
    const hash = createHash('sha256');
    const tar = await openLayerTar(this.blobs, layerDigest);
    await extractLayerTar(hashing(tar, hash), dest, this.tools);
    return `sha256:${hash.digest('hex')}`;
  }

  private async publish(staging: string, chainId: Digest, options: { durable: boolean } = { durable: true }): Promise<void> {
    try {
      await fs.rename(staging, this.layout.snapshotDir(chainId));
    } catch (error) {
      // Another extraction of the same ChainID finished first; its result is identical.
      if (isNodeError(error, 'ENOTEMPTY') || isNodeError(error, 'EEXIST')) return;
      throw error;
    }
    if (options.durable) await fsyncDir(this.layout.snapshotsDir);
  }
}

async function* hashing(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

function checkChain(chainId: Digest, parent: Digest | undefined, diffId: Digest, layerDigest: Digest): void {
  const actual = nextChainId(parent, diffId);
  if (actual === chainId) return;
  throw new LayerStoreError(
    LayerStoreErrorCode.DigestMismatch,
    `layer ${layerDigest} has DiffID ${diffId}, which on parent ${parent ?? '(none)'} gives ChainID ${actual}, not ${chainId}; ` +
      'pass the layers in image order with the right parent ChainID',
    { chainId, actual, diffId, parent: parent ?? null },
  );
}
