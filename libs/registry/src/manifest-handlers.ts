import type { IncomingMessage } from 'node:http';
import {
  Descriptor,
  Digest,
  LayerStore,
  LayerStoreError,
  LayerStoreErrorCode,
  MediaType,
  parseManifest,
  ParsedManifest,
} from '@berth/layer-store';
import { decodeReference } from './blob-handlers';
import { isTag, looksLikeDigest, parseDigestParam } from './names';
import { header, RegistryRequest } from './registry-context';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { sendEmpty } from './responses';
import { fromStore, translateStoreError } from './store-errors';
import { tagReferences } from './tag-handlers';

/** The spec asks registries to take manifests of at least 4 MiB; bigger ones are 413. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OciManifest,
  MediaType.OciIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
];

interface ServedManifest {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
}

/** `GET|HEAD /v2/<name>/manifests/<tag|digest>`: the stored bytes, under their stored media type. */
export async function getManifest({ request, response, deps, name, reference }: RegistryRequest): Promise<void> {
  const manifest = await resolveManifest(deps.store, name, decodeReference(reference));
  response.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': manifest.bytes.length,
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
  });
  response.end(request.method === 'HEAD' ? undefined : manifest.bytes);
}

/** `PUT /v2/<name>/manifests/<tag|digest>`: kept byte for byte, after what it references is checked. */
export async function putManifest({ request, response, deps, name, reference }: RegistryRequest): Promise<void> {
  const ref = decodeReference(reference);
  const expected = looksLikeDigest(ref) ? parseDigestParam(ref, 'manifest digest') : undefined;
  if (expected === undefined && !isTag(ref)) throw manifestInvalid(`"${ref.slice(0, 200)}" is not a valid tag`, { tag: ref.slice(0, 200) });
  const bytes = await readManifestBody(request);
  checkMediaType(bytes, header(request, 'content-type'));
  const descriptor = await storeManifest(deps.store, bytes, expected);
  if (expected === undefined) await fromStore(deps.store.tag(`${name}:${ref}`, descriptor.digest));
  sendEmpty(response, 201, { Location: `/v2/${name}/manifests/${descriptor.digest}`, 'Docker-Content-Digest': descriptor.digest });
}

/** `DELETE /v2/<name>/manifests/<tag|digest>`: removes the tag, or every tag of this repository on the digest. */
export async function deleteManifest({ response, deps, name, reference }: RegistryRequest): Promise<void> {
  const ref = decodeReference(reference);
  let removed = 0;
  if (looksLikeDigest(ref)) {
    const digest = parseDigestParam(ref, 'manifest digest');
    const tags = (await tagReferences(deps.store)).filter((entry) => entry.name === name && entry.digest === digest);
    for (const entry of tags) if (await fromStore(deps.store.untag(`${name}:${entry.tag}`))) removed += 1;
  } else if (isTag(ref) && (await fromStore(deps.store.untag(`${name}:${ref}`)))) {
    removed = 1;
  }
  if (removed === 0) throw manifestUnknown(name, ref);
  // The bytes stay until GC finds nothing referencing them.
  sendEmpty(response, 202);
}

async function resolveManifest(store: LayerStore, name: string, reference: string): Promise<ServedManifest> {
  if (looksLikeDigest(reference)) {
    const digest = parseDigestParam(reference, 'manifest digest');
    // Layers are blobs too; a manifest is a JSON object, so skip reading anything else.
    const first = await store.blobs.readPrefix(digest, 1).catch(() => Buffer.alloc(0));
    if (first.toString() !== '{') throw manifestUnknown(name, reference);
    const stored = await store.images.readManifest(digest).catch(() => null);
    if (stored === null) throw manifestUnknown(name, reference);
    return { digest, mediaType: stored.descriptor.mediaType, bytes: stored.bytes };
  }
  if (!isTag(reference)) throw manifestUnknown(name, reference);
  const descriptor = await store.images.resolve(`${name}:${reference}`).catch(() => null);
  const bytes = descriptor === null ? null : await store.blobs.readBytes(descriptor.digest).catch(() => null);
  if (descriptor === null || bytes === null) throw manifestUnknown(name, reference);
  return { digest: descriptor.digest, mediaType: descriptor.mediaType, bytes };
}

async function storeManifest(store: LayerStore, bytes: Buffer, expected: Digest | undefined): Promise<Descriptor> {
  try {
    return await store.images.putManifest(bytes, expected);
  } catch (error) {
    if (error instanceof LayerStoreError && error.code === LayerStoreErrorCode.BlobNotFound) throw missingBlobs(error);
    throw translateStoreError(error, {
      // A bad digest inside the document makes the manifest invalid; a mismatch with the URL is DIGEST_INVALID.
      [LayerStoreErrorCode.InvalidDigest]: RegistryErrorCode.ManifestInvalid,
    });
  }
}

/** MANIFEST_BLOB_UNKNOWN once per missing blob, each with its digest as detail. */
function missingBlobs(error: LayerStoreError): RegistryError {
  const missing = (error.details?.['missing'] as string[] | undefined) ?? [];
  const [first, ...rest] = missing.map((digest) => ({
    message: `the manifest references blob ${digest}, which is not in this registry; push it first`,
    detail: { digest },
  }));
  if (first === undefined) return new RegistryError(RegistryErrorCode.ManifestBlobUnknown, error.message);
  const more = rest.map((entry) => new RegistryError(RegistryErrorCode.ManifestBlobUnknown, entry.message, { detail: entry.detail }));
  return new RegistryError(RegistryErrorCode.ManifestBlobUnknown, first.message, { detail: first.detail, more });
}

/** Content-Type and the document's own mediaType must agree, or a client will read it as the wrong thing. */
function checkMediaType(bytes: Buffer, contentType: string | undefined): void {
  const parsed = parseManifestBody(bytes);
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared !== undefined && MANIFEST_MEDIA_TYPES.includes(declared) && declared !== parsed.mediaType) {
    throw manifestInvalid(`the request says Content-Type ${declared} but the manifest is ${parsed.mediaType}`, {
      contentType: declared,
      mediaType: parsed.mediaType,
    });
  }
}

function parseManifestBody(bytes: Buffer): ParsedManifest {
  try {
    return parseManifest(bytes);
  } catch (error) {
    // A bad digest inside the document makes the manifest invalid, not the request's digest.
    throw translateStoreError(error, { [LayerStoreErrorCode.InvalidDigest]: RegistryErrorCode.ManifestInvalid });
  }
}

/**
 * Reads a manifest whole, up to the limit. An oversized body is left unread rather than
 * destroyed, so the 413 still reaches the client (the error answer then closes the connection).
 */
function readManifestBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= MAX_MANIFEST_BYTES) return;
      request.off('data', onData).pause();
      reject(
        new RegistryError(RegistryErrorCode.ManifestInvalid, `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`, {
          status: 413,
          detail: { limit: MAX_MANIFEST_BYTES },
        }),
      );
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function manifestInvalid(message: string, detail: unknown): RegistryError {
  return new RegistryError(RegistryErrorCode.ManifestInvalid, `manifest invalid: ${message}`, { detail });
}

function manifestUnknown(name: string, reference: string): RegistryError {
  return new RegistryError(RegistryErrorCode.ManifestUnknown, `manifest ${reference.slice(0, 200)} is not in repository ${name}`, {
    detail: { name, reference: reference.slice(0, 200) },
  });
}
