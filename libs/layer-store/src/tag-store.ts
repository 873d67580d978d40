import { canonicalJson } from './canonical-json';
import { Digest, isDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { readFileIfExists, writeFileAtomic } from './fs-atomic';
import { StoreLayout } from './layout';
import { FileLock } from './locks';
import { Descriptor, ImageIndex } from './manifest';
import { MediaType, REF_NAME_ANNOTATION } from './media-types';

export interface TagEntry {
  /** `name:tag` */
  reference: string;
  descriptor: Descriptor;
}

/** name:tag -> manifest descriptor, kept in index.json; every change is a locked read-modify-rename. */
export class TagStore {
  constructor(
    private readonly layout: StoreLayout,
    private readonly lock: FileLock,
  ) {}

  /** Runs a section with tags frozen, for GC and anything else that must not see them move. */
  withIndexLocked<T>(section: () => Promise<T>): Promise<T> {
    return this.lock.withLock(section);
  }

  async ensureIndex(): Promise<void> {
    await this.lock.withLock(async () => {
      if ((await readFileIfExists(this.layout.indexFile)) === null) await this.writeIndex(emptyIndex());
    });
  }

  /** `reference` must already be in `name:tag` form; a tag moves to the new descriptor. */
  async set(reference: string, descriptor: Descriptor): Promise<void> {
    await this.lock.withLock(async () => {
      const index = await this.readIndex();
      const others = index.manifests.filter((entry) => refName(entry) !== reference);
      const annotations = { ...descriptor.annotations, [REF_NAME_ANNOTATION]: reference };
      const entry = { ...descriptor, annotations };
      const current = index.manifests.find((existing) => refName(existing) === reference);
      // Unchanged (compared key-order-free: index.json is read back canonical): no rewrite, no fsync.
      if (current && canonicalJson(current).equals(canonicalJson(entry))) return;
      await this.writeIndex({ ...index, manifests: [...others, entry] });
    });
  }

  async remove(reference: string): Promise<boolean> {
    return this.lock.withLock(async () => {
      const index = await this.readIndex();
      const kept = index.manifests.filter((entry) => refName(entry) !== reference);
      if (kept.length === index.manifests.length) return false;
      await this.writeIndex({ ...index, manifests: kept });
      return true;
    });
  }

  async get(reference: string): Promise<Descriptor | null> {
    const index = await this.readIndex();
    return index.manifests.find((entry) => refName(entry) === reference) ?? null;
  }

  async list(): Promise<TagEntry[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((descriptor) => {
      const reference = refName(descriptor);
      return reference === undefined ? [] : [{ reference, descriptor }];
    });
  }

  /** Every digest index.json points at, tagged by Berth or placed there by another OCI tool. */
  async rootDigests(): Promise<Digest[]> {
    const index = await this.readIndex();
    return index.manifests.map((entry) => entry.digest);
  }

  async readIndex(): Promise<ImageIndex> {
    const bytes = await readFileIfExists(this.layout.indexFile);
    if (bytes === null) return emptyIndex();
    return parseIndexFile(bytes, this.layout.indexFile);
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await writeFileAtomic(this.layout.indexFile, canonicalJson(index), this.layout.tmpDir);
  }
}

function refName(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[REF_NAME_ANNOTATION];
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}

function parseIndexFile(bytes: Buffer, path: string): ImageIndex {
  try {
    const index = JSON.parse(bytes.toString('utf8')) as ImageIndex;
    // Digests here become blob paths and GC roots, so every one is checked.
    if (Array.isArray(index.manifests) && index.manifests.every((entry) => isDigest(entry?.digest))) return index;
  } catch {
    // reported below
  }
  throw new LayerStoreError(
    LayerStoreErrorCode.InvalidManifest,
    `${path} is not a valid OCI index; restore it from a backup or remove it to start with no tags`,
    { path },
  );
}
