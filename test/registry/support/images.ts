import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runOk } from './processes';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * A root file system of Debian's static busybox and a `/marker` file, as a tar. The marker makes
 * every test's layer unique, so a pull really downloads it instead of finding it in Docker.
 */
export async function busyboxRootfsTar(marker: string): Promise<Buffer> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-registry-rootfs-'));
  try {
    await fs.mkdir(path.join(root, 'bin'));
    await fs.copyFile('/bin/busybox', path.join(root, 'bin', 'busybox'));
    await fs.symlink('busybox', path.join(root, 'bin', 'sh'));
    await fs.writeFile(path.join(root, 'marker'), `${marker}\n`);
    const file = path.join(root, '..', `${path.basename(root)}.tar`);
    await runOk('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', file, '.']);
    const tar = await fs.readFile(file);
    await fs.rm(file, { force: true });
    return tar;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

export interface OciLayoutImage {
  /** The `org.opencontainers.image.ref.name` of the index in the layout. */
  ref: string;
  indexDigest: string;
  indexBytes: Buffer;
  manifests: Array<{ architecture: string; digest: string }>;
  layerDigest: string;
}

/**
 * An OCI image layout holding an image index with one manifest per architecture, all on the
 * same busybox layer. The index is indented oddly on purpose: a registry must keep its bytes.
 */
export async function writeOciLayout(dir: string, tar: Buffer, architectures: string[], ref = 'multi'): Promise<OciLayoutImage> {
  const blobsDir = path.join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobsDir, { recursive: true });
  const putBlob = async (bytes: Buffer) => {
    const digest = sha256(bytes);
    await fs.writeFile(path.join(blobsDir, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const layer = await putBlob(gzipSync(tar));
  const manifests = [];
  for (const architecture of architectures) {
    const config = await putBlob(Buffer.from(JSON.stringify(imageConfig(architecture, sha256(tar)))));
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, ...config },
      layers: [{ mediaType: OCI_LAYER, ...layer }],
    };
    const stored = await putBlob(Buffer.from(JSON.stringify(manifest)));
    manifests.push({ mediaType: OCI_MANIFEST, ...stored, platform: { architecture, os: 'linux' } });
  }
  const indexBytes = Buffer.from(`${JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, null, 3)}\n`);
  const index = await putBlob(indexBytes);
  const top = { schemaVersion: 2, manifests: [{ mediaType: OCI_INDEX, ...index, annotations: { 'org.opencontainers.image.ref.name': ref } }] };
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify(top));
  await fs.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return {
    ref,
    indexDigest: index.digest,
    indexBytes,
    manifests: manifests.map((entry, position) => ({ architecture: architectures[position], digest: entry.digest })),
    layerDigest: layer.digest,
  };
}

export function imageConfig(architecture: string, diffId: string): Record<string, unknown> {
  return {
    created: '1970-01-01T00:00:00Z',
    architecture,
    os: 'linux',
    config: { Cmd: ['/bin/busybox', 'cat', '/marker'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
}
