import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BlobStore } from './blob-store';
import { Digest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * The uncompressed tar of a stored layer. Compression is sniffed from the bytes, not taken from a
 * media type, because the same blob can be described differently by different manifests.
 */
export async function openLayerTar(blobs: BlobStore, digest: Digest): Promise<Readable> {
  const head = await blobs.readPrefix(digest, ZSTD_MAGIC.length);
  if (startsWith(head, ZSTD_MAGIC)) {
    throw new LayerStoreError(
      LayerStoreErrorCode.UnsupportedMediaType,
      `layer ${digest} is zstd-compressed, which Berth does not unpack; rebuild the image with gzip layers`,
      { digest },
    );
  }
  const raw = await blobs.openRead(digest);
  if (!startsWith(head, GZIP_MAGIC)) return raw;
  // pipeline, unlike pipe, destroys the file stream when the consumer gives up early.
  return pipeline(raw, createGunzip({ chunkSize: 128 * 1024 }), () => undefined);
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}
