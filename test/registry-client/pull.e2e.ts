import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LayerStore, MediaType } from '@berth/layer-store';
import { defaultPlatform, ImagePuller, ImagePullerOptions, RegistryClientError, RegistryClientErrorCode } from '@berth/registry-client';
import { DistributionRegistry, registryToolsUnavailable, skopeoCopy } from './support/distribution-registry';
import { makeSourceImages, SourceImages } from './support/test-images';
import { TokenIssuer, TokenServer } from './support/token-auth';

const PUSHER = { name: 'pusher', password: 'push-secret' };
const READER = { name: 'reader', password: 'read-secret' };
const unavailable = registryToolsUnavailable();

/** A fetch that counts what it sends, to prove what a pull did and did not download. */
function countingFetch(): { fetch: typeof fetch; requests: { method: string; path: string }[] } {
  const requests: { method: string; path: string }[] = [];
  const counted = (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ method: init?.method ?? 'GET', path: new URL(String(input)).pathname });
    return fetch(input, init);
  };
  return { fetch: counted as typeof fetch, requests };
}

const downloads = (requests: { method: string; path: string }[]) =>
  requests.filter((request) => request.method === 'GET' && /\/(blobs|manifests)\//.test(request.path));

describe('ImagePuller against docker-registry with token auth', { skip: unavailable ?? false }, () => {
  let workDir: string;
  let images: SourceImages;
  let registry: DistributionRegistry;
  let tokens: TokenServer;
  let issuer: TokenIssuer;
  let host: string;

  before(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-registry-e2e-'));
    issuer = new TokenIssuer('berth-test-issuer', 'berth-test-registry');
    tokens = new TokenServer(issuer, {
      anonymousPull: true,
      users: {
        [PUSHER.name]: { password: PUSHER.password, actions: ['pull', 'push'] },
        [READER.name]: { password: READER.password, actions: ['pull'] },
      },
    });
    const realm = await tokens.start();
    registry = new DistributionRegistry(workDir);
    host = await registry.start({ realm, service: issuer.service, issuer: issuer.issuer, certificatePem: issuer.certificatePem });
    images = await makeSourceImages(workDir, defaultPlatform());
    const layout = images.store.layout.root;
    const push = ['--dest-tls-verify=false', '--dest-creds', `${PUSHER.name}:${PUSHER.password}`];
    await skopeoCopy([...push, '--preserve-digests', `oci:${layout}:${images.busybox.tag}`, `docker://${host}/test/busybox:latest`]);
    await skopeoCopy([...push, '--all', '--preserve-digests', `oci:${layout}:${images.multi.tag}`, `docker://${host}/test/multi:latest`]);
    await skopeoCopy([...push, '--format', 'v2s2', `oci:${layout}:${images.busybox.tag}`, `docker://${host}/test/busybox-docker:1`]);
    await skopeoCopy([...push, '--preserve-digests', `oci:${layout}:${images.tamper.tag}`, `docker://${host}/test/tamper:latest`]);
  });

  after(async () => {
    await registry?.stop();
    await tokens?.stop();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  async function freshStore(): Promise<LayerStore> {
    return LayerStore.open({ root: await fs.mkdtemp(path.join(workDir, 'store-')) });
  }

  function puller(store: LayerStore, options: Partial<ImagePullerOptions> = {}): ImagePuller {
    return new ImagePuller({ store, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 }, ...options });
  }

  /** The bytes the registry serves for a manifest, read with a token minted here. */
  async function servedManifest(repository: string, reference: string, accept: string): Promise<Buffer> {
    const token = issuer.issue('test', [{ type: 'repository', name: repository, actions: ['pull'] }]);
    const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
      headers: { authorization: `Bearer ${token}`, accept },
    });
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  }

  it('pulls the host platform of a multi-platform index, byte-exact and verified, and tags it', async () => {
    const store = await freshStore();
    const { fetch, requests } = countingFetch();
    const client = puller(store, { fetch });
    const result = await client.pull(`${host}/test/multi`);
    const { multi } = images;
    assert.deepEqual(result, {
      reference: `${host}/test/multi:latest`,
      manifestDigest: multi.host.digest,
      indexDigest: multi.index,
      downloadedBytes: result.downloadedBytes,
    });
    for (const digest of [multi.index, multi.host.digest]) {
      const pulled = await store.images.readManifest(digest);
      assert.deepEqual(pulled.bytes, (await images.store.images.readManifest(digest)).bytes);
      assert.deepEqual(pulled.bytes, await servedManifest('test/multi', digest, `${MediaType.OciIndex}, ${MediaType.OciManifest}`));
    }
    const resolved = await store.images.resolveImage(result.reference);
    assert.equal(resolved.manifestDigest, multi.host.digest);
    // Each layer's uncompressed content hashes to the DiffID its config promises.
    for (const [i, layer] of resolved.manifest.layers.entries()) {
      assert.equal(await store.snapshots.diffIdOf(layer.digest), resolved.config.rootfs.diff_ids[i]);
    }
    for (const skipped of [multi.foreign.digest, multi.attestation.digest]) assert.equal(await store.blobs.has(skipped), false);
    assert.equal(downloads(requests).length, 4, 'index, manifest, config and one layer');

    requests.length = 0;
    const tokenRequestsBefore = tokens.requests.length;
    const again = await client.pull(`${host}/test/multi:latest`);
    assert.equal(again.downloadedBytes, 0);
    assert.deepEqual(downloads(requests), [], 'the second pull downloads nothing');
    assert.equal(tokens.requests.length, tokenRequestsBefore, 'the token of the first pull is reused');
  });

  it('pulls a Docker schema 2 image, fetching only what the store lacks', async () => {
    const store = await freshStore();
    await puller(store).pull(`${host}/test/busybox:latest`);
    const { fetch, requests } = countingFetch();
    const result = await puller(store, { fetch }).pull(`${host}/test/busybox-docker:1`);
    const stored = await store.images.readManifest(result.manifestDigest);
    assert.equal(stored.descriptor.mediaType, MediaType.DockerManifest);
    assert.deepEqual(stored.bytes, await servedManifest('test/busybox-docker', '1', MediaType.DockerManifest));
    const layerGets = downloads(requests).filter((request) => request.path.endsWith(images.busybox.layer));
    assert.deepEqual(layerGets, [], 'the busybox layer was already in the store');
    assert.equal((await store.images.resolveImage(`${host}/test/busybox-docker:1`)).manifestDigest, result.manifestDigest);
  });

  it('refuses a blob damaged in the registry and leaves nothing of the image in the store', async () => {
    const data = registry.blobDataPath(images.tamper.layer);
    const bytes = await fs.readFile(data);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await fs.writeFile(data, bytes);
    const store = await freshStore();
    await assert.rejects(
      puller(store).pull(`${host}/test/tamper:latest`),
      (error: unknown) =>
        error instanceof RegistryClientError &&
        error.code === RegistryClientErrorCode.DigestMismatch &&
        error.message.includes(`layer ${images.tamper.layer}`),
    );
    assert.equal(await store.blobs.has(images.tamper.layer), false);
    assert.equal(await store.blobs.has(images.tamper.manifest), false);
    // At most the config, downloaded alongside and verified, stays for a retry; GC collects it if none comes.
    const source = await images.store.images.readManifest(images.tamper.manifest);
    const config = source.parsed.kind === 'image' ? source.parsed.manifest.config.digest : undefined;
    assert.ok((await store.blobs.list()).every((digest) => digest === config));
    assert.deepEqual(await store.listImages(), []);
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
  });

  it('is unauthorized without credentials when the token server refuses anonymous pulls, and pulls with a docker config.json', async () => {
    tokens.policy.anonymousPull = false;
    try {
      const store = await freshStore();
      await assert.rejects(
        puller(store).pull(`${host}/test/busybox`),
        (error: unknown) =>
          error instanceof RegistryClientError &&
          error.code === RegistryClientErrorCode.Unauthorized &&
          error.message.startsWith(`${host} refused access to test/busybox`) &&
          error.message.includes('BERTH_REGISTRY_AUTH'),
      );
      const dockerConfig = path.join(workDir, 'docker-config.json');
      const auth = Buffer.from(`${READER.name}:${READER.password}`).toString('base64');
      await fs.writeFile(dockerConfig, JSON.stringify({ auths: { [`http://${host}`]: { auth } } }));
      const result = await puller(store, { auth: { dockerConfigPath: dockerConfig } }).pull(`${host}/test/busybox`);
      assert.equal(result.manifestDigest, images.busybox.manifest);
      assert.equal(tokens.requests.at(-1)?.user, READER.name);
    } finally {
      tokens.policy.anonymousPull = true;
    }
  });

  it('says when an image does not exist', async () => {
    await assert.rejects(
      puller(await freshStore()).pull(`${host}/test/busybox:nope`),
      (error: unknown) =>
        error instanceof RegistryClientError &&
        error.code === RegistryClientErrorCode.ImageNotFound &&
        error.message.includes(`${host}/test/busybox has no manifest nope`),
    );
  });
});

if (unavailable !== null) {
  it(`registry-client e2e skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
}
