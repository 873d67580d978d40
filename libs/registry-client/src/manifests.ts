import { Digest, isDigest, LayerStore, LayerStoreError, MediaType, parseManifest, ParsedManifest, sha256Digest } from '@berth/layer-store';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { RegistryApi } from './registry-api';

/** A manifest or index with the exact bytes its digest is of. */
export interface ManifestDocument {
  digest: Digest;
  bytes: Buffer;
  parsed: ParsedManifest;
  /** Already in the layer store: nothing to write. */
  stored: boolean;
}

const SCHEMA1_MEDIA_TYPES: readonly string[] = [MediaType.DockerSchema1Manifest, MediaType.DockerSchema1Signed];

/** Fetches manifests, verifying every one against its digest, and uses the layer store's copy whenever it has one. */
export class ManifestFetcher {
  constructor(private readonly store: LayerStore) {}

  /** By tag: HEAD first, so an image whose tag has not moved costs no GET and no download. */
  async byTag(api: RegistryApi, repository: string, tag: string, label: string): Promise<ManifestDocument> {
    const current = await api.headManifest(repository, tag);
    if (isDigest(current) && (await this.store.blobs.has(current))) return this.fromStore(current);
    const fetched = await api.getManifest(repository, tag);
    const digest = sha256Digest(fetched.bytes);
    if (isDigest(fetched.digestHeader) && fetched.digestHeader !== digest) {
      throw manifestMismatch(label, fetched.digestHeader, digest, api.registry);
    }
    return { digest, bytes: fetched.bytes, parsed: parseFetched(fetched.bytes, label), stored: false };
  }

  async byDigest(api: RegistryApi, repository: string, digest: Digest, label: string): Promise<ManifestDocument> {
    if (await this.store.blobs.has(digest)) return this.fromStore(digest);
    const fetched = await api.getManifest(repository, digest);
    const actual = sha256Digest(fetched.bytes);
    if (actual !== digest) throw manifestMismatch(label, digest, actual, api.registry);
    return { digest, bytes: fetched.bytes, parsed: parseFetched(fetched.bytes, label), stored: false };
  }

  private async fromStore(digest: Digest): Promise<ManifestDocument> {
    const stored = await this.store.images.readManifest(digest);
    return { digest, bytes: stored.bytes, parsed: stored.parsed, stored: true };
  }
}

/** Parses what a registry sent; schema 1 is refused by name, since Docker itself no longer pulls it. */
export function parseFetched(bytes: Buffer, label: string): ParsedManifest {
  let document: { schemaVersion?: unknown; mediaType?: unknown } | null;
  try {
    document = JSON.parse(bytes.toString('utf8')) as typeof document;
  } catch {
    throw new RegistryClientError(RegistryClientErrorCode.InvalidResponse, `the manifest of ${label} is not valid JSON`, { reference: label });
  }
  if (document?.schemaVersion === 1 || SCHEMA1_MEDIA_TYPES.includes(String(document?.mediaType))) {
    throw new RegistryClientError(
      RegistryClientErrorCode.UnsupportedManifest,
      `${label} is a Docker schema 1 image, a format Berth (and current Docker) cannot pull; ` +
        'use a newer tag, or pull and push it again with a current Docker to convert it',
      { reference: label },
    );
  }
  try {
    return parseManifest(bytes);
  } catch (error) {
    if (!(error instanceof LayerStoreError)) throw error;
    throw new RegistryClientError(
      RegistryClientErrorCode.UnsupportedManifest,
      `cannot use the manifest of ${label}: ${error.message}`,
      { reference: label },
    );
  }
}

function manifestMismatch(label: string, expected: string, actual: Digest, registry: string): RegistryClientError {
  return new RegistryClientError(
    RegistryClientErrorCode.DigestMismatch,
    `the manifest ${registry} sent for ${label} hashes to ${actual}, not ${expected}; nothing was stored. ` +
      'The registry or a proxy altered it: try again, and check the registry if it persists',
    { reference: label, expected, actual },
  );
}
