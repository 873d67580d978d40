import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { BlobStore } from './blob-store';
import { Digest, parseDigest } from './digest';
import { saveDockerArchive } from './docker-archive';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { readFileIfExists, writeFileAtomic } from './fs-atomic';
import { Clock, collectGarbage, DEFAULT_GC_POLICY, GcOptions, GcPolicy, GcReport, systemClock } from './gc';
import { hostPlatform, ImageStore, ImageSummary, PutImageInput, StoredImage } from './images';
import { LayerIndex } from './layer-index';
import { DEFAULT_GZIP_LEVEL, LayerWriter, WrittenLayer } from './layer-writer';
import { StoreLayout } from './layout';
import { Lease, LeaseRegistry } from './leases';
import { FileLock, ProcessProbe, systemProcessProbe } from './locks';
import { Platform } from './manifest';
import { Snapshot, SnapshotStore } from './snapshots';
import { CommandLineSystemTools, SystemTools } from './system-tools';
import { TagStore } from './tag-store';

export interface LayerStoreOptions {
  /** Directory holding the OCI image layout; created by init(). */
  root: string;
  /** zlib level for layers Berth writes; see DEFAULT_GZIP_LEVEL. */
  gzipLevel?: number;
  /** Platform chosen from multi-platform indexes; defaults to linux on this machine's architecture. */
  platform?: Platform;
  lockTimeoutMs?: number;
  gc?: Partial<GcPolicy>;
  clock?: Clock;
  processProbe?: ProcessProbe;
  systemTools?: SystemTools;
  /** When this machine booted (ms since the epoch); snapshots from before it are unpacked again. */
  bootTime?: () => Promise<number>;
}

const OCI_LAYOUT = Buffer.from('{"imageLayoutVersion":"1.0.0"}');

/**
 * Berth's image store: OCI image layout on disk plus DiffID mappings, snapshots and leases.
 * The constructor touches nothing; call init() (or use LayerStore.open) before use.
 */
export class LayerStore {
  readonly layout: StoreLayout;
  readonly blobs: BlobStore;
  readonly images: ImageStore;
  readonly layers: LayerIndex;
  readonly snapshots: SnapshotStore;
  private readonly tags: TagStore;
  private readonly leases: LeaseRegistry;
  private readonly layerWriter: LayerWriter;
  private readonly clock: Clock;
  private readonly gcPolicy: GcPolicy;
  private readonly bootTime: () => Promise<number>;

  constructor(options: LayerStoreOptions) {
    const tools = options.systemTools ?? new CommandLineSystemTools();
    const probe = options.processProbe ?? systemProcessProbe;
    this.layout = new StoreLayout(options.root);
    this.blobs = new BlobStore(this.layout);
    const lock = new FileLock(join(this.layout.locksDir, 'index.lock'), { timeoutMs: options.lockTimeoutMs, probe });
    this.tags = new TagStore(this.layout, lock);
    this.images = new ImageStore(this.blobs, this.tags, options.platform ?? hostPlatform());
    this.layers = new LayerIndex(this.layout);
    this.snapshots = new SnapshotStore(this.layout, this.blobs, this.layers, tools);
    this.leases = new LeaseRegistry(this.layout, probe);
    this.layerWriter = new LayerWriter(this.blobs, this.layers, options.gzipLevel ?? DEFAULT_GZIP_LEVEL);
    this.clock = options.clock ?? systemClock;
    this.gcPolicy = { ...DEFAULT_GC_POLICY, ...options.gc };
    this.bootTime = options.bootTime ?? systemBootTime;
  }

  static async open(options: LayerStoreOptions): Promise<LayerStore> {
    const store = new LayerStore(options);
    await store.init();
    return store;
  }

  /** Creates the layout if missing; safe to call on an existing store and from several processes. */
  async init(): Promise<void> {
    for (const dir of this.layout.allDirs()) await fs.mkdir(dir, { recursive: true });
    if ((await readFileIfExists(this.layout.ociLayoutFile)) === null) {
      await writeFileAtomic(this.layout.ociLayoutFile, OCI_LAYOUT, this.layout.tmpDir);
    }
    await this.tags.ensureIndex();
    await this.snapshots.removeFromEarlierBoots(await this.bootTime());
  }

  /** Gzips and stores a layer tar, recording its DiffID. */
  writeLayer(tar: Readable | AsyncIterable<Uint8Array>): Promise<WrittenLayer> {
    return this.layerWriter.write(tar);
  }

  /** Stores config and manifest; refuses layers whose known DiffID disagrees with the config. */
  async putImage(input: PutImageInput): Promise<StoredImage> {
    const diffIds = input.config.rootfs.diff_ids;
    for (const [index, layer] of input.layers.entries()) {
      const known = await this.layers.findByDigest(parseDigest(layer.digest, 'layer digest'));
      if (known === null || known.diffId === diffIds[index]) continue;
      throw new LayerStoreError(
        LayerStoreErrorCode.InvalidImageConfig,
        `layer ${index} (${layer.digest}) has DiffID ${known.diffId} but the config lists ${diffIds[index] ?? 'nothing'}; ` +
          'list layers and DiffIDs in the same order',
        { index, digest: layer.digest, diffId: known.diffId },
      );
    }
    return this.images.putImage(input);
  }

  /** Points `name:tag` at a stored manifest or index. */
  async tag(reference: string, manifestDigest: Digest): Promise<void> {
    await this.images.tag(reference, manifestDigest);
  }

  untag(reference: string): Promise<boolean> {
    return this.images.untag(reference);
  }

  async resolve(reference: string): Promise<Digest> {
    return (await this.images.resolve(reference)).digest;
  }

  listImages(): Promise<ImageSummary[]> {
    return this.images.listImages();
  }

  extractLayer(chainId: Digest, layerDigest: Digest, parentChainId?: Digest): Promise<Snapshot> {
    return this.snapshots.extractLayer(chainId, layerDigest, parentChainId);
  }

  /** Overlay lower dirs for an image, bottom layer first (reverse it for `lowerdir=`). */
  async prepareSnapshots(reference: string): Promise<Snapshot[]> {
    const image = await this.images.resolveImage(reference);
    return this.snapshots.prepare(image.manifest.layers.map((layer) => layer.digest));
  }

  acquireLease(digests: readonly Digest[]): Promise<Lease> {
    return this.leases.acquire(digests);
  }

  gc(options: GcOptions = {}): Promise<GcReport> {
    const parts = { layout: this.layout, blobs: this.blobs, tags: this.tags, layers: this.layers };
    return collectGarbage(
      { ...parts, snapshots: this.snapshots, leases: this.leases, clock: this.clock, policy: this.gcPolicy },
      options,
    );
  }

  saveDockerArchive(reference: string, output: Writable): Promise<void> {
    return saveDockerArchive(this.images, this.blobs, reference, output);
  }
}

/** The kernel's boot time (`btime` of /proc/stat), or 0 (trust every snapshot) where there is none. */
export async function systemBootTime(): Promise<number> {
  const stat = await readFileIfExists('/proc/stat');
  const btime = stat && /^btime (\d+)$/m.exec(stat.toString());
  return btime ? Number(btime[1]) * 1000 : 0;
}
