import { DomainError } from '@berth/errors';

export enum LayerStoreErrorCode {
  InvalidDigest = 'invalid_digest',
  DigestMismatch = 'digest_mismatch',
  BlobNotFound = 'blob_not_found',
  InvalidRange = 'invalid_range',
  InvalidReference = 'invalid_reference',
  UnknownImage = 'unknown_image',
  InvalidManifest = 'invalid_manifest',
  InvalidImageConfig = 'invalid_image_config',
  UnsupportedMediaType = 'unsupported_media_type',
  HostileArchive = 'hostile_archive',
  CorruptArchive = 'corrupt_archive',
  UnsupportedArchive = 'unsupported_archive',
  FileChanged = 'file_changed',
  SnapshotNotFound = 'snapshot_not_found',
  LockTimeout = 'lock_timeout',
  ToolMissing = 'tool_missing',
  ToolFailed = 'tool_failed',
}

export class LayerStoreError extends DomainError<LayerStoreErrorCode> {
  readonly domain = 'layer-store';
}

export function isNodeError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
