import { canonicalJson } from './canonical-json';
import { Digest, parseDigest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { IMAGE_INDEX_MEDIA_TYPES, IMAGE_MANIFEST_MEDIA_TYPES, MediaType } from './media-types';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** A stored manifest as parsed, next to nothing that would tempt a caller to re-serialise it. */
export type ParsedManifest =
  | { kind: 'image'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

export interface ImageManifestInput {
  config: { digest: Digest; size: number };
  layers: { digest: Digest; size: number }[];
  annotations?: Record<string, string>;
}

export function buildImageManifest(input: ImageManifestInput): ImageManifest {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: descriptor(MediaType.OciConfig, input.config),
    layers: input.layers.map((layer) => descriptor(MediaType.OciLayerGzip, layer)),
  };
  if (input.annotations !== undefined) manifest.annotations = input.annotations;
  return manifest;
}

export function encodeManifest(manifest: ImageManifest | ImageIndex): Buffer {
  return canonicalJson(manifest);
}

/** Parses manifest bytes of any supported media type; the bytes themselves stay the source of truth. */
export function parseManifest(bytes: Buffer, declaredMediaType?: string): ParsedManifest {
  const document = parseJsonObject(bytes);
  const mediaType = declaredMediaType ?? stringField(document, 'mediaType') ?? inferMediaType(document);
  if (IMAGE_MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    return { kind: 'image', mediaType, manifest: checkImageManifest(document) };
  }
  if (IMAGE_INDEX_MEDIA_TYPES.includes(mediaType)) {
    return { kind: 'index', mediaType, index: checkImageIndex(document) };
  }
  throw new LayerStoreError(
    LayerStoreErrorCode.UnsupportedMediaType,
    `manifest media type ${mediaType} is not supported; Berth reads OCI and Docker schema 2 manifests and indexes` +
      (mediaType.startsWith(MediaType.DockerSchema1Manifest) ? ' (schema 1 images must be re-pushed with a newer Docker)' : ''),
    { mediaType },
  );
}

/** Tells whether a blob looks like a manifest, for walks from roots whose media type is unknown. */
export function tryParseManifest(bytes: Buffer): ParsedManifest | null {
  try {
    return parseManifest(bytes);
  } catch {
    return null;
  }
}

function descriptor(mediaType: string, blob: { digest: Digest; size: number }): Descriptor {
  return { mediaType, digest: parseDigest(blob.digest), size: blob.size };
}

/** Old OCI manifests may omit mediaType; the shape then says which document it is. */
function inferMediaType(document: Record<string, unknown>): string {
  if (Array.isArray(document['manifests'])) return MediaType.OciIndex;
  if (Array.isArray(document['layers'])) return MediaType.OciManifest;
  if (Array.isArray(document['fsLayers'])) return MediaType.DockerSchema1Manifest;
  throw invalid('it has neither layers nor manifests');
}

function checkImageManifest(document: Record<string, unknown>): ImageManifest {
  checkSchemaVersion(document);
  checkDescriptor(document['config'], 'config');
  const layers = document['layers'];
  if (!Array.isArray(layers)) throw invalid('layers is not a list');
  layers.forEach((layer, index) => checkDescriptor(layer, `layers[${index}]`));
  return document as unknown as ImageManifest;
}

function checkImageIndex(document: Record<string, unknown>): ImageIndex {
  checkSchemaVersion(document);
  const manifests = document['manifests'];
  if (!Array.isArray(manifests)) throw invalid('manifests is not a list');
  manifests.forEach((entry, index) => checkDescriptor(entry, `manifests[${index}]`));
  return document as unknown as ImageIndex;
}

function checkSchemaVersion(document: Record<string, unknown>): void {
  if (document['schemaVersion'] !== 2) throw invalid(`schemaVersion is ${String(document['schemaVersion'])}, not 2`);
}

function checkDescriptor(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null) throw invalid(`${where} is not a descriptor`);
  const record = value as Record<string, unknown>;
  parseDigest(record['digest'], `${where}.digest`);
  const size = record['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}.size is not a size`);
  if (typeof record['mediaType'] !== 'string') throw invalid(`${where}.mediaType is missing`);
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('it is not valid JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid('it is not an object');
  return document as Record<string, unknown>;
}

function stringField(document: Record<string, unknown>, key: string): string | undefined {
  const value = document[key];
  return typeof value === 'string' ? value : undefined;
}

function invalid(reason: string): LayerStoreError {
  return new LayerStoreError(LayerStoreErrorCode.InvalidManifest, `manifest is invalid: ${reason}`, { reason });
}
