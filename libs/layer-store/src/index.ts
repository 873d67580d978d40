export { LayerStore } from './layer-store';
export type { LayerStoreOptions } from './layer-store';
export { LayerStoreError, LayerStoreErrorCode } from './errors';

export { chainIdOf, chainIdsOf, digestHex, isDigest, nextChainId, parseDigest, sha256Digest } from './digest';
export type { Digest } from './digest';
export { BlobStore } from './blob-store';
export type { BlobInfo, BlobSource, BlobSpan, ByteRange } from './blob-store';
export { StoreLayout } from './layout';
export { WritebackFile } from './writeback-file';
export type { WritebackFileOptions } from './writeback-file';
export { canonicalJson } from './canonical-json';

export { buildImageConfig, encodeImageConfig, parseImageConfig } from './image-config';
export type { ContainerConfig, HealthConfig, HistoryEntry, ImageConfig, ImageConfigInput } from './image-config';
export { buildImageManifest, encodeManifest, parseManifest } from './manifest';
export type { Descriptor, ImageIndex, ImageManifest, ImageManifestInput, ParsedManifest, Platform } from './manifest';
export { MediaType, REF_NAME_ANNOTATION } from './media-types';
export { hostPlatform, ImageStore } from './images';
export type { ImageSummary, PutImageInput, ResolvedImage, StoredImage, StoredManifest } from './images';
export type { TagEntry } from './tag-store';
export { parseReference } from './reference';
export type { ImageReference } from './reference';

export { LayerIndex } from './layer-index';
export type { LayerRecord } from './layer-index';
export { DEFAULT_GZIP_LEVEL, LayerWriter } from './layer-writer';
export type { WrittenLayer } from './layer-writer';
export { openLayerTar } from './layer-stream';
export { SnapshotStore } from './snapshots';
export type { Snapshot } from './snapshots';

export type { Lease } from './leases';
export { DEFAULT_GC_POLICY } from './gc';
export type { Clock, GcOptions, GcPolicy, GcReport } from './gc';
export type { ProcessProbe } from './locks';
export { CommandLineSystemTools, parseGetfattrDump } from './system-tools';
export type { DeviceKind, SystemTools } from './system-tools';

export { readLayerXattrs, skipEmptyMountStubs, tarDirectory } from './tar-directory';
export type { MtimePolicy, SkipCandidate, TarDirectoryOptions, XattrsByPath } from './tar-directory';
export { extractLayerTar, safeRelativePath } from './extract';
export { packTar } from './tar/tar-writer';
export type { TarContent, TarSourceEntry } from './tar/tar-writer';
export { readTar } from './tar/tar-reader';
export type { TarReadEntry } from './tar/tar-reader';
export type { TarEntryType, TarHeader } from './tar/tar-header';
export { OPAQUE_MARKER, OVERLAY_OPAQUE_XATTR, WHITEOUT_PREFIX } from './whiteouts';
