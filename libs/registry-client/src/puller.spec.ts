import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { LayerStore, MediaType, sha256Digest } from '@berth/layer-store';
import { RegistryClientError, RegistryClientErrorCode } from './errors';
import { PullProgressEvent } from './progress';
import { ImagePuller, ImagePullerOptions } from './puller';
import { brokenBody, FakeRegistry, openTempStore } from './spec-helpers';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

function puller(store: LayerStore, registry: FakeRegistry, options: Partial<ImagePullerOptions> = {}): ImagePuller {
  return new ImagePuller({
    store,
    fetch: registry.fetch,
    platform: AMD64,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    ...options,
  });
}

function hasCode(code: RegistryClientErrorCode, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RegistryClientError, String(error));
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** A multi-platform image: arm64, amd64 and an attestation, as BuildKit pushes them. */
function multiPlatform(registry: FakeRegistry) {
  const arm = registry.addImage('team/app', { platform: ARM64 });
  const amd = registry.addImage('team/app', { platform: AMD64 });
  const attestation = registry.addImage('team/app');
  const index = registry.addIndex('team/app', '1.0', [
    arm.manifest,
    amd.manifest,
    {
      ...attestation.manifest,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.manifest.digest },
    },
  ]);
  return { arm, amd, attestation, index };
}

describe('ImagePuller from a registry', () => {
  it('pulls the platform image of an index through the anonymous token flow, byte-exact, and tags it', async () => {
    const registry = new FakeRegistry();
    const { arm, amd, attestation, index } = multiPlatform(registry);
    const store = await openTempStore();
    const events: PullProgressEvent[] = [];
    const result = await puller(store, registry, { onProgress: (event) => events.push(event) }).pull('registry.example/team/app:1.0');

    assert.deepEqual(result, {
      reference: 'registry.example/team/app:1.0',
      manifestDigest: amd.manifest.digest,
      indexDigest: index.digest,
      downloadedBytes: amd.config.size + amd.layers[0].size,
    });
    assert.deepEqual((await store.images.readManifest(index.digest)).bytes, index.bytes);
    assert.deepEqual((await store.images.readManifest(amd.manifest.digest)).bytes, amd.manifestBytes);
    assert.equal(await store.resolve('registry.example/team/app:1.0'), index.digest);
    assert.equal((await store.images.resolveImage('registry.example/team/app:1.0')).manifestDigest, amd.manifest.digest);
    for (const other of [arm, attestation]) {
      assert.equal(await store.blobs.has(other.manifest.digest), false);
      assert.equal(await store.blobs.has(other.layers[0].digest), false);
    }
    assert.equal(registry.tokensIssued, 1, 'one token serves every request of the pull');
    const layerEvents = events.filter((event) => event.type === 'blob' && event.digest === amd.layers[0].digest);
    const last = layerEvents.at(-1);
    assert.ok(last?.type === 'blob' && last.status === 'done' && last.downloaded === amd.layers[0].size);
    assert.deepEqual(events.map((event) => event.type).filter((type) => type !== 'blob'), ['resolved', 'done']);
  });

  it('downloads nothing the second time: a HEAD shows the tag has not moved', async () => {
    const registry = new FakeRegistry();
    multiPlatform(registry);
    const store = await openTempStore();
    const client = puller(store, registry);
    await client.pull('registry.example/team/app:1.0');
    registry.seen.length = 0;
    const again = await client.pull('registry.example/team/app:1.0');
    assert.equal(again.downloadedBytes, 0);
    assert.deepEqual(registry.seen.map((request) => `${request.method} ${request.url.pathname}`), ['HEAD /v2/team/app/manifests/1.0']);
  });

  it('skips layers another image already brought into the store', async () => {
    const registry = new FakeRegistry();
    const base = registry.addImage('lib/base', { tag: '1' });
    const derived = registry.addImage('lib/derived', { tag: '1', layers: [base.layers[0], registry.addBlob(Buffer.from('top'))] });
    const store = await openTempStore();
    const client = puller(store, registry);
    await client.pull('registry.example/lib/base:1');
    registry.seen.length = 0;
    const result = await client.pull('registry.example/lib/derived:1');
    const blobGets = registry.requests('GET', '/blobs/').map((request) => request.url.pathname.split('/').at(-1));
    assert.deepEqual(blobGets.sort(), [derived.config.digest, derived.layers[1].digest].sort());
    assert.equal(result.downloadedBytes, derived.config.size + derived.layers[1].size);
  });

  it('pulls by digest without tagging, and needs no network once the image is in the store', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x');
    const store = await openTempStore();
    const client = puller(store, registry);
    const reference = `registry.example/lib/x@${image.manifest.digest}`;
    const result = await client.pull(reference);
    assert.equal(result.reference, reference);
    assert.equal((await store.images.resolveImage(result.reference)).manifestDigest, image.manifest.digest);
    assert.deepEqual(await store.listImages(), []);
    registry.seen.length = 0;
    await client.pull(reference);
    assert.equal(registry.seen.length, 0);
  });

  it('ensure() uses the store without asking the registry, and pulls what is missing', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '2' });
    const store = await openTempStore();
    const client = puller(store, registry);
    assert.equal((await client.ensure('registry.example/lib/x:2')).manifestDigest, image.manifest.digest);
    registry.seen.length = 0;
    assert.equal((await client.ensure('registry.example/lib/x:2')).downloadedBytes, 0);
    assert.equal(registry.seen.length, 0);
    assert.equal(client.storeReference('node:20'), 'docker.io/library/node:20');
  });

  it('sends no Authorization to the CDN a blob redirects to', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '1' });
    registry.overrides.push((request) => {
      if (request.url.host === 'cdn.example') return new Response(registry.blobs.get(request.url.searchParams.get('d')!));
      const blob = /\/blobs\/(sha256:[0-9a-f]+)$/.exec(request.url.pathname)?.[1];
      if (blob && request.authorization?.startsWith('Bearer ')) {
        return new Response(null, { status: 307, headers: { location: `https://cdn.example/b?d=${blob}` } });
      }
      return undefined;
    });
    await puller(await openTempStore(), registry).pull('registry.example/lib/x:1');
    const cdn = registry.seen.filter((request) => request.url.host === 'cdn.example');
    assert.equal(cdn.length, 1 + image.layers.length);
    assert.ok(cdn.every((request) => request.authorization === undefined));
  });

  it('retries a 503 and a body cut off half way, then succeeds', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '1' });
    const layer = image.layers[0].digest;
    let layerGets = 0;
    registry.overrides.push((request) => {
      if (!request.url.pathname.endsWith(layer) || !request.authorization) return undefined;
      layerGets += 1;
      if (layerGets === 1) return new Response('', { status: 503 });
      if (layerGets === 2) return brokenBody(registry.blobs.get(layer)!.subarray(0, 10));
      return undefined;
    });
    const store = await openTempStore();
    await puller(store, registry).pull('registry.example/lib/x:1');
    assert.equal(layerGets, 3);
    assert.equal(await store.blobs.has(layer), true);
  });

  it('refuses a blob that does not match its digest and leaves nothing of the image behind', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '1' });
    const layer = image.layers[0].digest;
    const original = registry.blobs.get(layer)!;
    registry.blobs.set(layer, Buffer.concat([original.subarray(0, -1), Buffer.from([original.at(-1)! ^ 1])]));
    const store = await openTempStore();
    await assert.rejects(
      puller(store, registry).pull('registry.example/lib/x:1'),
      hasCode(RegistryClientErrorCode.DigestMismatch, /layer sha256:.* does not match its digest .*nothing was stored/),
    );
    assert.equal(await store.blobs.has(layer), false);
    assert.equal(await store.blobs.has(image.manifest.digest), false);
    assert.deepEqual(await store.listImages(), []);
    assert.deepEqual(await readdir(store.layout.tmpDir), []);
  });

  it('refuses a manifest whose bytes do not match the digest the registry announces', async () => {
    const registry = new FakeRegistry();
    registry.addImage('lib/x', { tag: '1' });
    registry.overrides.push((request) =>
      request.url.pathname.endsWith('/manifests/1') && request.authorization
        ? new Response(request.method === 'HEAD' ? null : '{"schemaVersion":2,"layers":[],"config":{}}', {
            headers: { 'docker-content-digest': sha256Digest('other') },
          })
        : undefined,
    );
    await assert.rejects(puller(await openTempStore(), registry).pull('registry.example/lib/x:1'), hasCode(RegistryClientErrorCode.DigestMismatch));
  });

  it('refuses schema 1 manifests by name', async () => {
    const registry = new FakeRegistry();
    registry.addManifest('lib/old', Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'lib/old', fsLayers: [] })), 'v1');
    await assert.rejects(
      puller(await openTempStore(), registry).pull('registry.example/lib/old:v1'),
      hasCode(RegistryClientErrorCode.UnsupportedManifest, /schema 1 image/),
    );
  });

  it('says which image is unknown', async () => {
    const registry = new FakeRegistry();
    await assert.rejects(
      puller(await openTempStore(), registry).pull('registry.example/lib/nope:3'),
      hasCode(RegistryClientErrorCode.ImageNotFound, /registry\.example\/lib\/nope has no manifest 3 \(MANIFEST_UNKNOWN: manifest unknown\)/),
    );
  });

  it('is unauthorized without credentials when the token service refuses anonymous pulls, and pulls with them', async () => {
    const registry = new FakeRegistry();
    registry.allowAnonymous = false;
    registry.users = { alice: 's3cret' };
    registry.addImage('private/x', { tag: '1' });
    const store = await openTempStore();
    await assert.rejects(
      puller(store, registry).pull('registry.example/private/x:1'),
      hasCode(RegistryClientErrorCode.Unauthorized, /registry\.example refused access to private\/x: .*BERTH_REGISTRY_AUTH/),
    );
    const auth = { credentials: { 'registry.example': { username: 'alice', password: 's3cret' } } };
    await puller(store, registry, { auth }).pull('registry.example/private/x:1');
    const tokenRequests = registry.seen.filter((request) => request.url.host === 'auth.example');
    assert.equal(tokenRequests.at(-1)?.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    assert.equal(tokenRequests.at(-1)?.url.searchParams.get('service'), 'registry.example');
  });

  it('answers a Basic challenge with the configured credentials', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '1' });
    const expected = `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    registry.overrides.push((request) => {
      if (request.authorization !== expected) {
        return new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="Registry"' } });
      }
      return undefined;
    });
    // Behind the Basic gate, the fake's bearer check is satisfied by swapping the header in.
    registry.overrides.push((request) => {
      request.authorization = 'Bearer tok|repository:lib/x:pull|bob';
      return undefined;
    });
    const auth = { credentials: { 'registry.example': { username: 'bob', password: 'pw' } } };
    const result = await puller(await openTempStore(), registry, { auth }).pull('registry.example/lib/x:1');
    assert.equal(result.manifestDigest, image.manifest.digest);
  });

  it('names the host it cannot reach', async () => {
    const registry = new FakeRegistry();
    registry.overrides.push(() => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }));
    await assert.rejects(
      puller(await openTempStore(), registry).pull('registry.example/lib/x:1'),
      hasCode(RegistryClientErrorCode.Unreachable, /^cannot reach registry\.example \(ENOTFOUND\)/),
    );
    assert.equal(registry.seen.length, 3, 'bounded retries');
  });

  it('talks HTTPS to Docker Hub and other hosts, HTTP to loopback and insecure ones', async () => {
    const hosts: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      hosts.push(new URL(String(input)).origin);
      return new Response('', { status: 404 });
    }) as typeof globalThis.fetch;
    const client = new ImagePuller({ store: await openTempStore(), fetch, insecureRegistries: ['registry.lan:5000'], retry: { attempts: 1 } });
    for (const reference of ['node:20', 'ghcr.io/a/b', '127.0.0.1:5000/a', 'localhost:5000/a', 'registry.lan:5000/a', 'registry.lan:5001/a']) {
      await client.pull(reference).catch(() => undefined);
    }
    assert.deepEqual([...new Set(hosts)], [
      'https://registry-1.docker.io',
      'https://ghcr.io',
      'http://127.0.0.1:5000',
      'http://localhost:5000',
      'http://registry.lan:5000',
      'https://registry.lan:5001',
    ]);
  });
});

describe("ImagePuller and Berth's own registry", () => {
  it('resolves images of the local registry hosts in the store, never over HTTP', async () => {
    const registry = new FakeRegistry();
    const image = registry.addImage('lib/x', { tag: '1' });
    const store = await openTempStore();
    await puller(store, registry).pull('registry.example/lib/x:1');
    await store.tag('myapp:v3', image.manifest.digest);
    const offline = (async () => {
      throw new Error('no network for local images');
    }) as typeof globalThis.fetch;
    const client = puller(store, registry, { fetch: offline, localRegistryHosts: ['127.0.0.1:3000', 'localhost:3000'] });
    for (const reference of ['127.0.0.1:3000/myapp:v3', 'localhost:3000/myapp:v3']) {
      assert.deepEqual(await client.pull(reference), { reference: 'myapp:v3', manifestDigest: image.manifest.digest, indexDigest: undefined, downloadedBytes: 0 });
    }
    assert.equal(client.storeReference('localhost:3000/myapp:v3'), 'myapp:v3');
    await assert.rejects(client.ensure('localhost:3000/myapp:v4'), hasCode(RegistryClientErrorCode.ImageNotFound, /layer store has no myapp:v4/));
    await assert.rejects(client.pull('127.0.0.1:3001/myapp:v3'), hasCode(RegistryClientErrorCode.Unreachable));
  });

  it('stores Docker schema 2 manifests with their media type', async () => {
    const registry = new FakeRegistry();
    const layer = registry.addBlob(Buffer.from('layer'));
    const config = registry.addBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest('x')] } })));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { ...config, mediaType: MediaType.DockerConfig },
        layers: [{ ...layer, mediaType: MediaType.DockerLayerGzip }],
      }),
    );
    const digest = registry.addManifest('lib/docker', manifest, 'latest');
    const store = await openTempStore();
    await puller(store, registry).pull('registry.example/lib/docker');
    const stored = await store.images.readManifest(digest);
    assert.equal(stored.descriptor.mediaType, MediaType.DockerManifest);
    assert.deepEqual(stored.bytes, manifest);
    assert.equal(await store.resolve('registry.example/lib/docker:latest'), digest);
  });
});
