import { Descriptor, Digest, ImageManifest, LayerStore, LayerStoreError, LayerStoreErrorCode, parseReference, Platform } from '@berth/layer-store';
import { RegistryAuthenticator } from './auth';
import { BlobDownloader, BlobRequest } from './blob-download';
import { loadCredentials, RegistryAuthSource } from './credentials';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { hostListIncludes, schemeFor } from './hosts';
import { ManifestDocument, ManifestFetcher } from './manifests';
import { defaultPlatform, platformName, selectPlatformManifest } from './platform';
import { PullProgressListener } from './progress';
import { NormalizedReference, normalizeReference } from './reference';
import { RegistryApi } from './registry-api';
import { DEFAULT_RETRY_POLICY, FetchFunction, HttpTransport, RetryPolicy } from './transport';

export interface ImagePullerOptions {
  store: LayerStore;
  /** Registry credentials (BerthConfig.registryAuth); pulls are anonymous without them. */
  auth?: RegistryAuthSource;
  /** host[:port] spoken to over plain HTTP, besides loopback hosts (BerthConfig.insecureRegistries). */
  insecureRegistries?: readonly string[];
  /** Berth's own registry (e.g. `127.0.0.1:3000`, `localhost:3000`): looked up in the same store, never over HTTP. */
  localRegistryHosts?: readonly string[];
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: FetchFunction;
  onProgress?: PullProgressListener;
  /** Chosen from multi-platform images; linux on this machine's architecture by default. */
  platform?: Platform;
  retry?: Partial<RetryPolicy>;
  /** Blobs downloaded at the same time. */
  concurrency?: number;
  /** Injectable for tests, to retry without waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export interface PullResult {
  /** The name the image has in the store: `docker.io/library/node:20`, `name@sha256:...`, or `NAME:TAG` for Berth's own registry. */
  reference: string;
  /** The single-platform image manifest a build starts from. */
  manifestDigest: Digest;
  /** The index (manifest list) the reference names, when it names one. */
  indexDigest?: Digest;
  /** 0 when everything was already in the store. */
  downloadedBytes: number;
}

type ImageDocument = ManifestDocument & { parsed: { kind: 'image'; manifest: ImageManifest } };

const DEFAULT_CONCURRENCY = 3;

/**
 * Pulls images from v2 registries into Berth's layer store, so each base image is fetched
 * once for every app. Everything is verified against its digest before the store keeps it,
 * and the image is tagged under its canonical name for builds to find without the network.
 */
export class ImagePuller {
  private readonly store: LayerStore;
  private readonly transport: HttpTransport;
  private readonly manifests: ManifestFetcher;
  private readonly blobs: BlobDownloader;
  private readonly platform: Platform;
  private readonly apis = new Map<string, { api: RegistryApi; authenticator: RegistryAuthenticator }>();

  constructor(private readonly options: ImagePullerOptions) {
    this.store = options.store;
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.transport = new HttpTransport({ fetch: options.fetch ?? globalThis.fetch, retry, sleep: options.sleep });
    this.manifests = new ManifestFetcher(this.store);
    this.blobs = new BlobDownloader(this.store, this.transport, options.onProgress ?? (() => undefined));
    this.platform = options.platform ?? defaultPlatform();
  }

  /** The name `reference` has (or will have) in the layer store. */
  storeReference(reference: string): string {
    const ref = normalizeReference(reference);
    return this.isLocal(ref) ? localName(ref) : storedName(ref);
  }

  /** The image from the store when it is complete there; pulled otherwise. Tags are not re-checked against the registry. */
  async ensure(reference: string): Promise<PullResult> {
    const ref = normalizeReference(reference);
    if (this.isLocal(ref)) return this.resolveLocal(ref);
    return (await this.findInStore(storedName(ref))) ?? this.pullRemote(ref);
  }

  /** Asks the registry what the reference names now and downloads whatever the store lacks. */
  async pull(reference: string): Promise<PullResult> {
    const ref = normalizeReference(reference);
    return this.isLocal(ref) ? this.resolveLocal(ref) : this.pullRemote(ref);
  }

  private async pullRemote(ref: NormalizedReference): Promise<PullResult> {
    checkStorable(ref);
    const api = await this.apiFor(ref);
    const top = ref.digest
      ? await this.manifests.byDigest(api, ref.repository, ref.digest, ref.canonical)
      : await this.manifests.byTag(api, ref.repository, ref.tag ?? 'latest', ref.canonical);
    const image = await this.imageOf(api, ref, top);
    const { config, layers } = image.parsed.manifest;
    // Blobs already here may be unreferenced and old; the lease keeps a GC from taking them mid-pull.
    const lease = await this.store.acquireLease([top.digest, image.digest, config.digest, ...layers.map((layer) => layer.digest)]);
    try {
      this.emitResolved(ref, image);
      const downloadedBytes = await this.downloadBlobs(api, ref, image.parsed.manifest);
      await this.storeManifests(top, image);
      const reference = await this.tagIfNamed(ref, top, image);
      this.options.onProgress?.({ type: 'done', reference: ref.canonical, manifestDigest: image.digest, downloadedBytes });
      const indexDigest = top.digest === image.digest ? undefined : top.digest;
      return { reference, manifestDigest: image.digest, indexDigest, downloadedBytes };
    } finally {
      await lease.release();
    }
  }

  /** The manifest itself, or the one for this platform when the reference names an index. */
  private async imageOf(api: RegistryApi, ref: NormalizedReference, top: ManifestDocument): Promise<ImageDocument> {
    if (top.parsed.kind === 'image') return top as ImageDocument;
    const chosen = selectPlatformManifest(top.parsed.index.manifests, this.platform, ref.canonical);
    const label = `${ref.canonical} (${platformName(chosen.platform)})`;
    const child = await this.manifests.byDigest(api, ref.repository, chosen.digest, label);
    if (child.parsed.kind === 'image') return child as ImageDocument;
    throw new RegistryClientError(
      RegistryClientErrorCode.UnsupportedManifest,
      `${label} is an index inside an index, which Berth does not follow; use a reference to a single-level image`,
      { reference: ref.canonical },
    );
  }

  private async downloadBlobs(api: RegistryApi, ref: NormalizedReference, manifest: ImageManifest): Promise<number> {
    const request = (descriptor: Descriptor, kind: BlobRequest['kind']): BlobRequest => ({
      api,
      repository: ref.repository,
      descriptor,
      kind,
      reference: ref.canonical,
    });
    const requests = [request(manifest.config, 'config'), ...manifest.layers.map((layer) => request(layer, 'layer'))];
    const sizes = await forEachLimited(requests, this.options.concurrency ?? DEFAULT_CONCURRENCY, (item) => this.blobs.ensure(item));
    return sizes.reduce((sum, size) => sum + size, 0);
  }

  /** Written last, after every blob they name is verified in the store: a failed pull leaves no manifest. */
  private async storeManifests(top: ManifestDocument, image: ImageDocument): Promise<void> {
    if (!image.stored) await this.store.images.putManifest(image.bytes, image.digest);
    if (top.digest === image.digest || top.stored) return;
    // Only this platform's manifest was pulled, so the index cannot go through putManifest, which wants
    // every child present; the store resolves such partial indexes by design (see its resolveImage).
    await this.store.blobs.writeBlob(top.bytes, top.digest);
  }

  private async tagIfNamed(ref: NormalizedReference, top: ManifestDocument, image: ImageDocument): Promise<string> {
    const name = storedName(ref);
    if (ref.digest !== undefined) return name; // a digest needs no tag: the store resolves it directly
    await this.store.tag(name, top.digest);
    if (top.digest !== image.digest && (await this.findInStore(name))?.manifestDigest !== image.digest) {
      // The store picks platforms on its own (e.g. another ARM variant); point the tag at exactly what was pulled.
      await this.store.tag(name, image.digest);
    }
    return name;
  }

  private async findInStore(name: string): Promise<PullResult | null> {
    try {
      const resolved = await this.store.images.resolveImage(name);
      const top = await this.store.resolve(name);
      const indexDigest = top === resolved.manifestDigest ? undefined : top;
      return { reference: name, manifestDigest: resolved.manifestDigest, indexDigest, downloadedBytes: 0 };
    } catch (error) {
      if (isMissingFromStore(error)) return null;
      throw error;
    }
  }

  private async resolveLocal(ref: NormalizedReference): Promise<PullResult> {
    const name = localName(ref);
    const found = await this.findInStore(name).catch((error: unknown) => {
      if (error instanceof LayerStoreError && error.code === LayerStoreErrorCode.InvalidReference) return null;
      throw error;
    });
    if (found !== null) return found;
    throw new RegistryClientError(
      RegistryClientErrorCode.ImageNotFound,
      `${ref.canonical} is in Berth's own registry (${ref.registry}), and its layer store has no ${name}; ` +
        'push the image there or build it first (berth image ls lists what is there)',
      { reference: ref.canonical, storeReference: name },
    );
  }

  private async apiFor(ref: NormalizedReference): Promise<RegistryApi> {
    const credentials = (await loadCredentials(this.options.auth)).get(ref.registry);
    let entry = this.apis.get(ref.registry);
    if (entry === undefined) {
      const insecureRegistries = this.options.insecureRegistries ?? [];
      const authenticator = new RegistryAuthenticator({ transport: this.transport, registry: ref.registry, credentials, insecureRegistries });
      const base = `${schemeFor(ref.registry, insecureRegistries)}://${ref.endpoint}`;
      entry = { api: new RegistryApi(this.transport, authenticator, base, ref.registry), authenticator };
      this.apis.set(ref.registry, entry);
    }
    entry.authenticator.useCredentials(credentials);
    return entry.api;
  }

  private isLocal(ref: NormalizedReference): boolean {
    return hostListIncludes(this.options.localRegistryHosts ?? [], ref.registry);
  }

  private emitResolved(ref: NormalizedReference, image: ImageDocument): void {
    const layers = image.parsed.manifest.layers.map((layer) => ({ digest: layer.digest, size: layer.size }));
    const platform = platformName(this.platform);
    this.options.onProgress?.({ type: 'resolved', reference: ref.canonical, manifestDigest: image.digest, platform, layers });
  }
}

/** `docker.io/library/node:20`, or `name@sha256:...` when pulled by digest (Docker does not tag those either). */
function storedName(ref: NormalizedReference): string {
  return ref.digest !== undefined ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? 'latest'}`;
}

/** Berth's registry keeps `127.0.0.1:3000/NAME:TAG` as plain `NAME:TAG` in the store. */
function localName(ref: NormalizedReference): string {
  return ref.digest !== undefined ? `${ref.repository}@${ref.digest}` : `${ref.repository}:${ref.tag ?? 'latest'}`;
}

/** Checked before any download, so a name the store cannot tag fails fast rather than after the transfer. */
function checkStorable(ref: NormalizedReference): void {
  try {
    parseReference(storedName(ref));
  } catch (error) {
    if (!(error instanceof LayerStoreError)) throw error;
    throw new RegistryClientError(
      RegistryClientErrorCode.InvalidReference,
      `${ref.canonical} cannot be kept in the layer store under that name (${error.message}); refer to the registry by a host name`,
      { reference: ref.canonical },
    );
  }
}

function isMissingFromStore(error: unknown): boolean {
  return (
    error instanceof LayerStoreError &&
    (error.code === LayerStoreErrorCode.UnknownImage || error.code === LayerStoreErrorCode.BlobNotFound)
  );
}

/** Runs `fn` on at most `limit` items at once; after a failure it starts no new ones and waits for the running ones. */
async function forEachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
