import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildImageConfig, canonicalJson, Descriptor, Digest, LayerStore, MediaType, Platform } from '@berth/layer-store';

/** The images the tests push, made in an OCI layout (a LayerStore is one) that skopeo reads. */
export interface SourceImages {
  store: LayerStore;
  /** Tag in the layout -> what it is. */
  busybox: { tag: string; manifest: Digest; layer: Digest };
  multi: { tag: string; index: Digest; host: Descriptor; foreign: Descriptor; attestation: Descriptor };
  tamper: { tag: string; manifest: Digest; layer: Digest };
}

/** A layer from a directory, packed by tar as Docker's own busybox image would be. */
async function layerFromDirectory(store: LayerStore, dir: string) {
  const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => tar.once('close', resolve));
  const layer = await store.writeLayer(tar.stdout);
  if ((await exited) !== 0) throw new Error(`tar of ${dir} failed`);
  return layer;
}

async function imageOf(store: LayerStore, root: string, platform: Platform, files: (dir: string) => Promise<void>): Promise<Descriptor> {
  const dir = await fs.mkdtemp(path.join(root, 'rootfs-'));
  await files(dir);
  const layer = await layerFromDirectory(store, dir);
  const config = buildImageConfig({ ...platform, diffIds: [layer.diffId], config: { Cmd: ['/bin/sh'] }, history: [{ created_by: 'test layer' }] });
  const stored = await store.putImage({ config, layers: [layer] });
  return { ...stored.manifest, platform };
}

async function busyboxFiles(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'bin'));
  await fs.copyFile('/bin/busybox', path.join(dir, 'bin', 'busybox'));
  await fs.symlink('busybox', path.join(dir, 'bin', 'sh'));
}

/** What BuildKit attaches to an index: an in-toto statement in a manifest of platform unknown/unknown. */
async function attestationFor(store: LayerStore, subject: Digest): Promise<Descriptor> {
  const statement = await store.blobs.writeBlob(Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', subject })));
  const config = await store.blobs.writeBlob(
    canonicalJson({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.digest] } }),
  );
  const manifest = canonicalJson({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, ...config },
    layers: [
      { mediaType: 'application/vnd.in-toto+json', ...statement, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
    ],
  });
  const stored = await store.images.putManifest(manifest);
  return {
    ...stored,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject },
  };
}

export async function makeSourceImages(root: string, host: Platform): Promise<SourceImages> {
  const store = await LayerStore.open({ root: path.join(root, 'oci-layout') });
  const busybox = await imageOf(store, root, host, busyboxFiles);
  await store.tag('busybox:latest', busybox.digest);
  const foreignPlatform: Platform =
    host.architecture === 'arm64' ? { os: 'linux', architecture: 'amd64' } : { os: 'linux', architecture: 'arm64', variant: 'v8' };
  const foreign = await imageOf(store, root, foreignPlatform, (dir) => fs.writeFile(path.join(dir, 'arch'), foreignPlatform.architecture));
  const attestation = await attestationFor(store, busybox.digest);
  // Foreign first: a puller that took the first entry would take the wrong one.
  const indexBytes = canonicalJson({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [foreign, busybox, attestation] });
  const index = await store.images.putManifest(indexBytes);
  await store.tag('multi:latest', index.digest);
  const tamper = await imageOf(store, root, host, (dir) => fs.writeFile(path.join(dir, 'random'), randomBytes(64 * 1024)));
  await store.tag('tamper:latest', tamper.digest);
  return {
    store,
    busybox: { tag: 'busybox:latest', manifest: busybox.digest, layer: await layerOf(store, busybox.digest) },
    multi: { tag: 'multi:latest', index: index.digest, host: busybox, foreign, attestation },
    tamper: { tag: 'tamper:latest', manifest: tamper.digest, layer: await layerOf(store, tamper.digest) },
  };
}

async function layerOf(store: LayerStore, manifest: Digest): Promise<Digest> {
  const stored = await store.images.readManifest(manifest);
  if (stored.parsed.kind !== 'image') throw new Error(`${manifest} is not an image manifest`);
  return stored.parsed.manifest.layers[0].digest;
}
