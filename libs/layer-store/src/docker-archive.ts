import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobStore } from './blob-store';
import { Digest, digestHex } from './digest';
import { ImageStore } from './images';
import { parseReference } from './reference';
import { TarHeader } from './tar/tar-header';
import { packTar, TarSourceEntry } from './tar/tar-writer';

/** One image in the `docker save` format: manifest.json, the config, one tar per layer (gzipped; docker load decompresses). */
export async function saveDockerArchive(
  images: ImageStore,
  blobs: BlobStore,
  reference: string,
  output: Writable,
): Promise<void> {
  const image = await images.resolveImage(reference);
  const configDigest = image.manifest.config.digest;
  const configBytes = await blobs.readBytes(configDigest);
  const layerDigests = image.manifest.layers.map((layer) => layer.digest);
  const layerFiles = layerDigests.map(layerFileName);
  const manifestJson = JSON.stringify([
    { Config: configFileName(configDigest), RepoTags: repoTagsFor(reference), Layers: layerFiles },
  ]);
  const entries: TarSourceEntry[] = [
    fileEntry(configFileName(configDigest), configBytes),
    ...(await layerEntries(blobs, layerDigests)),
    fileEntry('manifest.json', Buffer.from(manifestJson)),
  ];
  await pipeline(packTar(entries), output);
}

async function layerEntries(blobs: BlobStore, layerDigests: Digest[]): Promise<TarSourceEntry[]> {
  const entries: TarSourceEntry[] = [];
  // An image may list the same layer twice (e.g. two identical COPY steps); the file is written once.
  for (const digest of new Set(layerDigests)) {
    const { size } = await blobs.stat(digest);
    entries.push({ header: header(layerFileName(digest), size), content: () => streamBlob(blobs, digest) });
  }
  return entries;
}

async function* streamBlob(blobs: BlobStore, digest: Digest): AsyncGenerator<Buffer> {
  for await (const chunk of await blobs.openRead(digest)) yield chunk as Buffer;
}

function fileEntry(path: string, content: Buffer): TarSourceEntry {
  return { header: header(path, content.length), content };
}

function header(path: string, size: number): TarHeader {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 };
}

/** Docker names the config by the hex of its digest, which is also the image ID docker load reports. */
function configFileName(digest: Digest): string {
  return `${digestHex(digest)}.json`;
}

function layerFileName(digest: Digest): string {
  return `${digestHex(digest)}/layer.tar`;
}

function repoTagsFor(reference: string): string[] {
  const parsed = parseReference(reference);
  return parsed.name !== undefined && parsed.tag !== undefined ? [`${parsed.name}:${parsed.tag}`] : [];
}

