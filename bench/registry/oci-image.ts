import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { hostPlatform, packTar } from '@berth/layer-store';
import { busyboxRootfsTar, imageConfig, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256 } from '../../test/registry/support/images';

const CHUNK_BYTES = 1024 * 1024;
/** The `org.opencontainers.image.ref.name` skopeo reads the image by: `oci:DIR:bench`. */
export const LAYOUT_REF = 'bench';

export interface Blob {
  digest: string;
  size: number;
}

/** The busybox layer every round shares: after the warm-up both registries have it. */
export interface BaseLayer extends Blob {
  diffId: string;
  bytes: Buffer;
}

/** An OCI image layout on disk holding one image: busybox plus one big random layer. */
export interface RoundImage {
  dir: string;
  manifestDigest: string;
  bigLayer: Blob;
}

export async function makeBaseLayer(marker: string): Promise<BaseLayer> {
  const tar = await busyboxRootfsTar(marker);
  const bytes = gzipSync(tar);
  return { digest: sha256(bytes), size: bytes.length, diffId: sha256(tar), bytes };
}

/**
 * Writes `dir` as an OCI layout: the base layer, a fresh layer of `bytes` random bytes (new
 * content every round, so no registry and no client cache has it yet), config and manifest.
 * The big layer is gzip at level 0 (stored blocks): random data would not shrink at any level,
 * and the bench should not spend its time compressing. The bytes sent are the same either way.
 */
export async function writeRoundImage(dir: string, base: BaseLayer, bytes: number, round: number): Promise<RoundImage> {
  const blobsDir = path.join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobsDir, { recursive: true });
  await fs.writeFile(path.join(blobsDir, base.digest.slice(7)), base.bytes);
  const big = await writeRandomLayer(blobsDir, bytes, round);
  const config = await putJson(blobsDir, twoLayerConfig([base.diffId, big.diffId]));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...config },
    layers: [
      { mediaType: OCI_LAYER, digest: base.digest, size: base.size },
      { mediaType: OCI_LAYER, digest: big.digest, size: big.size },
    ],
  };
  const stored = await putJson(blobsDir, manifest);
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, ...stored, annotations: { 'org.opencontainers.image.ref.name': LAYOUT_REF } }],
  };
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  await fs.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return { dir, manifestDigest: stored.digest, bigLayer: { digest: big.digest, size: big.size } };
}

/** The test helper's image config (busybox, Cmd), with the DiffIDs of both layers. */
function twoLayerConfig(diffIds: string[]): Record<string, unknown> {
  return { ...imageConfig(hostPlatform().architecture, diffIds[0]), rootfs: { type: 'layers', diff_ids: diffIds } };
}

async function putJson(blobsDir: string, value: unknown): Promise<Blob> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  await fs.writeFile(path.join(blobsDir, digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

/** tar (one file of random bytes) -> gzip -> file, hashing the tar (DiffID) and the gzip (digest) on the way. */
async function writeRandomLayer(blobsDir: string, bytes: number, round: number): Promise<Blob & { diffId: string }> {
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let size = 0;
  const tmp = path.join(blobsDir, `.big-${round}.tmp`);
  const entry = { header: { path: `data/random-${round}.bin`, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: bytes, mtime: 0 }, content: () => randomChunks(bytes) };
  await pipeline(
    packTar([entry]),
    tap((chunk) => tarHash.update(chunk)),
    createGzip({ level: 0 }),
    tap((chunk) => {
      gzHash.update(chunk);
      size += chunk.length;
    }),
    createWriteStream(tmp),
  );
  const digest = `sha256:${gzHash.digest('hex')}`;
  await fs.rename(tmp, path.join(blobsDir, digest.slice(7)));
  return { digest, size, diffId: `sha256:${tarHash.digest('hex')}` };
}

async function* randomChunks(bytes: number): AsyncGenerator<Buffer> {
  for (let left = bytes; left > 0; left -= CHUNK_BYTES) yield randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK_BYTES, left)));
}

function tap(observe: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      observe(chunk);
      callback(null, chunk);
    },
  });
}
