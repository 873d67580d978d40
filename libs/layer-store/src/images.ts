import { BlobStore } from './blob-store';
import { Digest, parseDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { collectReachable } from './graph';
import { encodeImageConfig, ImageConfig, parseImageConfig } from './image-config';
import {
  buildImageManifest,
  Descriptor,
  encodeManifest,
  ImageManifest,
  parseManifest,
  ParsedManifest,
  Platform,
} from './manifest';
import { parseReference, taggedName } from './reference';
import { TagEntry, TagStore } from './tag-store';

export interface StoredImage {
  manifest: Descriptor;
  config: Descriptor;
}

export interface StoredManifest {
  descriptor: Descriptor;
  /** Exactly as stored: hash these, serve these, never a re-serialisation. */
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** A single-platform image, found through an index when the reference names one. */
export interface ResolvedImage {
  manifestDigest: Digest;
  manifestBytes: Buffer;
  mediaType: string;
  manifest: ImageManifest;
  config: ImageConfig;
}

export interface ImageSummary {
  /** `name:tag` */
  reference: string;
  digest: Digest;
  mediaType: string;
  /** Bytes of every stored blob the image reaches: manifests, config and layers, each counted once. */
  size: number;
}

export interface PutImageInput {
  config: ImageConfig;
  layers: { digest: Digest; size: number }[];
  annotations?: Record<string, string>;
}

/** Manifests, configs and tags on top of the blob store. */
export class ImageStore {
  constructor(
    private readonly blobs: BlobStore,
    private readonly tags: TagStore,
    private readonly defaultPlatform: Platform,
  ) {}

  /** Stores a config and an OCI manifest for layers already in the store. */
  async putImage(input: PutImageInput): Promise<StoredImage> {
    await this.requireBlobs(input.layers.map((layer) => layer.digest));
    if (input.layers.length !== input.config.rootfs.diff_ids.length) {
      throw new LayerStoreError(
        LayerStoreErrorCode.InvalidImageConfig,
        `the config lists ${input.config.rootfs.diff_ids.length} DiffIDs but ${input.layers.length} layers were given`,
      );
    }
    const configBlob = await this.blobs.writeBlob(encodeImageConfig(input.config));
    const manifest = buildImageManifest({ config: configBlob, layers: input.layers, annotations: input.annotations });
    const manifestBlob = await this.blobs.writeBlob(encodeManifest(manifest));
    return {
      manifest: { mediaType: manifest.mediaType as string, ...manifestBlob },
      config: manifest.config,
    };
  }

  /** Stores manifest bytes as received (a registry push), after checking what they reference is here. */
  async putManifest(bytes: Buffer, expectedDigest?: Digest): Promise<Descriptor> {
    const parsed = parseManifest(bytes);
    const children = parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers];
    await this.requireBlobs(children.map((child) => child.digest));
    const blob = await this.blobs.writeBlob(bytes, expectedDigest);
    return { mediaType: parsed.mediaType, ...blob };
  }

  async readManifest(digest: Digest): Promise<StoredManifest> {
    const bytes = await this.blobs.readBytes(parseDigest(digest));
    const parsed = parseManifest(bytes);
    return { descriptor: { mediaType: parsed.mediaType, digest, size: bytes.length }, bytes, parsed };
  }

  /** The manifest or index a reference names: a tag from index.json, or a digest in the store. */
  async resolve(reference: string): Promise<Descriptor> {
    const parsed = parseReference(reference);
    if (parsed.digest !== undefined) {
      if (!(await this.blobs.has(parsed.digest))) throw unknownImage(reference);
      return (await this.readManifest(parsed.digest)).descriptor;
    }
    const descriptor = await this.tags.get(`${parsed.name}:${parsed.tag}`);
    if (descriptor === null) throw unknownImage(reference);
    return descriptor;
  }

  /** Resolves to one platform's image manifest and its config, choosing from an index if needed. */
  async resolveImage(reference: string, platform: Platform = this.defaultPlatform): Promise<ResolvedImage> {
    let stored = await this.readManifest((await this.resolve(reference)).digest);
    if (stored.parsed.kind === 'index') {
      const chosen = choosePlatform(stored.parsed.index.manifests, platform, reference);
      if (!(await this.blobs.has(chosen.digest))) throw unknownImage(`${reference} (${platformName(platform)})`);
      stored = await this.readManifest(chosen.digest);
    }
    if (stored.parsed.kind !== 'image') throw unknownImage(reference);
    const manifest = stored.parsed.manifest;
    const config = parseImageConfig(await this.blobs.readJson(manifest.config.digest));
    const { digest } = stored.descriptor;
    return { manifestDigest: digest, manifestBytes: stored.bytes, mediaType: stored.parsed.mediaType, manifest, config };
  }

  async tag(reference: string, digest: Digest): Promise<Descriptor> {
    const name = taggedName(reference);
    if (!(await this.blobs.has(parseDigest(digest)))) throw unknownImage(digest);
    const { descriptor } = await this.readManifest(digest);
    await this.tags.set(name, descriptor);
    return descriptor;
  }

  untag(reference: string): Promise<boolean> {
    return this.tags.remove(taggedName(reference));
  }

  /** Every `name:tag` and the descriptor it points at, cheaply (listImages also sums sizes). */
  listTags(): Promise<TagEntry[]> {
    return this.tags.list();
  }

  async listImages(): Promise<ImageSummary[]> {
    const summaries: ImageSummary[] = [];
    for (const { reference, descriptor } of await this.tags.list()) {
      const reachable = await collectReachable(this.blobs, [descriptor.digest]);
      const size = [...reachable.blobs.values()].reduce<number>((sum, blobSize) => sum + (blobSize ?? 0), 0);
      summaries.push({ reference, digest: descriptor.digest, mediaType: descriptor.mediaType, size });
    }
    return summaries.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  }

  private async requireBlobs(digests: Digest[]): Promise<void> {
    const missing: Digest[] = [];
    for (const digest of digests) if (!(await this.blobs.has(parseDigest(digest)))) missing.push(digest);
    if (missing.length === 0) return;
    throw new LayerStoreError(
      LayerStoreErrorCode.BlobNotFound,
      `the manifest references ${missing.length} blob(s) not in the store (${missing.slice(0, 3).join(', ')}); store them first`,
      { missing },
    );
  }
}

/** OCI architecture names for Node's process.arch values. */
const OCI_ARCHITECTURES: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function hostPlatform(arch: string = process.arch): Platform {
  return { os: 'linux', architecture: OCI_ARCHITECTURES[arch] ?? arch };
}

function choosePlatform(manifests: Descriptor[], wanted: Platform, reference: string): Descriptor {
  const matches = (candidate: Platform | undefined): boolean =>
    candidate?.os === wanted.os &&
    candidate.architecture === wanted.architecture &&
    (wanted.variant === undefined || candidate.variant === wanted.variant);
  const chosen = manifests.find((entry) => matches(entry.platform));
  if (chosen !== undefined) return chosen;
  const available = manifests.map((entry) => (entry.platform ? platformName(entry.platform) : 'unknown')).join(', ');
  throw new LayerStoreError(
    LayerStoreErrorCode.UnknownImage,
    `${reference} has no ${platformName(wanted)} image (it has: ${available || 'none'}); pull or build one for this platform`,
    { reference, platform: wanted },
  );
}

function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

function unknownImage(reference: string): LayerStoreError {
  return new LayerStoreError(
    LayerStoreErrorCode.UnknownImage,
    `image ${reference} is not in the store; build or pull it first (listImages shows what is there)`,
    { reference },
  );
}
