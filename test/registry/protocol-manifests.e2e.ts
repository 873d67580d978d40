import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildImageConfig } from '@berth/layer-store';
import {
  DOCKER_CONFIG_TYPE,
  DOCKER_LAYER,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  imageConfig,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER,
  OCI_MANIFEST,
  sha256,
} from './support/images';
import { BerthRegistry, startBerthRegistry } from './support/registries';
import { firstError, RegistryHttp } from './support/registry-http';

interface Pushed {
  bytes: Buffer;
  digest: string;
  size: number;
}

describe('registry protocol: manifests and tags', () => {
  let registry: BerthRegistry;
  let http: RegistryHttp;
  let config: Pushed;
  let layer: Pushed;

  async function pushBlob(name: string, bytes: Buffer): Promise<Pushed> {
    const digest = sha256(bytes);
    assert.equal((await http.pushBlob(name, bytes, digest)).status, 201);
    return { bytes, digest, size: bytes.length };
  }

  /** A manifest with odd spacing and key order, which a registry must keep byte for byte. */
  function imageManifest(mediaType: string, layers = [layer]): Buffer {
    const oci = mediaType === OCI_MANIFEST;
    const descriptor = (type: string, blob: Pushed) => `{"size": ${blob.size}, "mediaType": "${type}",  "digest": "${blob.digest}"}`;
    const layerList = layers.map((entry) => descriptor(oci ? OCI_LAYER : DOCKER_LAYER, entry)).join(',\n    ');
    return Buffer.from(
      `{\n  "schemaVersion": 2,\n  "mediaType": "${mediaType}",\n  "config": ${descriptor(oci ? OCI_CONFIG : DOCKER_CONFIG_TYPE, config)},\n` +
        `  "layers": [\n    ${layerList}\n  ]\n}\n`,
    );
  }

  before(async () => {
    registry = await startBerthRegistry();
    http = new RegistryHttp(registry);
    config = await pushBlob('shop/web', Buffer.from(JSON.stringify(imageConfig('amd64', sha256('tar')))));
    layer = await pushBlob('shop/web', randomBytes(2048));
  });

  after(async () => {
    await registry?.stop();
  });

  for (const mediaType of [OCI_MANIFEST, DOCKER_MANIFEST]) {
    it(`stores a ${mediaType.includes('oci') ? 'OCI' : 'Docker schema 2'} manifest by tag and serves its exact bytes`, async () => {
      const bytes = imageManifest(mediaType);
      const digest = sha256(bytes);
      const tag = mediaType.includes('oci') ? 'oci' : 'docker';
      const put = await http.putManifest('shop/web', tag, bytes, mediaType);
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('location'), `/v2/shop/web/manifests/${digest}`);
      assert.equal(put.headers.get('docker-content-digest'), digest);
      for (const reference of [tag, digest]) {
        const got = await http.request('GET', `/v2/shop/web/manifests/${reference}`, { headers: { accept: mediaType } });
        assert.equal(got.status, 200);
        assert.deepEqual(got.body, bytes);
        assert.equal(got.headers.get('content-type'), mediaType);
        assert.equal(got.headers.get('docker-content-digest'), digest);
        const head = await http.request('HEAD', `/v2/shop/web/manifests/${reference}`);
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(bytes.length));
        assert.equal(head.headers.get('content-type'), mediaType);
        assert.equal(head.body.length, 0);
      }
    });
  }

  it('stores a manifest by digest, and refuses one whose bytes do not match the digest in the URL', async () => {
    const bytes = imageManifest(OCI_MANIFEST, [layer, layer]);
    const put = await http.putManifest('shop/web', sha256(bytes), bytes, OCI_MANIFEST);
    assert.equal(put.status, 201);
    const other = Buffer.concat([bytes, Buffer.from(' ')]);
    const wrong = await http.putManifest('shop/web', sha256(bytes).replace(/.$/, '0'), other, OCI_MANIFEST);
    assert.equal(wrong.status, 400);
    assert.equal(firstError(wrong).code, 'DIGEST_INVALID');
    assert.equal((await http.request('GET', `/v2/shop/web/manifests/${sha256(other)}`)).status, 404);
  });

  it('refuses a manifest that references a missing blob with MANIFEST_BLOB_UNKNOWN, one error per blob', async () => {
    const ghost = { bytes: Buffer.alloc(0), digest: sha256('never pushed'), size: 12 };
    const ghost2 = { bytes: Buffer.alloc(0), digest: sha256('never pushed either'), size: 19 };
    const reply = await http.putManifest('shop/web', 'broken', imageManifest(OCI_MANIFEST, [layer, ghost, ghost2]), OCI_MANIFEST);
    assert.equal(reply.status, 400);
    assert.deepEqual(
      reply.json.errors.map((error: { code: string; detail: { digest: string } }) => [error.code, error.detail.digest]),
      [
        ['MANIFEST_BLOB_UNKNOWN', ghost.digest],
        ['MANIFEST_BLOB_UNKNOWN', ghost2.digest],
      ],
    );
    assert.equal(firstError(await http.request('GET', '/v2/shop/web/manifests/broken')).code, 'MANIFEST_UNKNOWN');
  });

  const invalid: Array<[string, string | Buffer, string]> = [
    ['not JSON', '{"schemaVersion": 2,', OCI_MANIFEST],
    ['schema version 1', '{"schemaVersion": 1, "name": "x", "tag": "y", "fsLayers": []}', 'application/vnd.docker.distribution.manifest.v1+json'],
    ['a descriptor with a bad digest', `{"schemaVersion": 2, "config": {"mediaType": "${OCI_CONFIG}", "digest": "sha256:zz", "size": 1}, "layers": []}`, OCI_MANIFEST],
    ['an unknown media type', '{"schemaVersion": 2, "mediaType": "application/vnd.example+json", "layers": []}', 'application/vnd.example+json'],
  ];
  for (const [what, body, mediaType] of invalid) {
    it(`refuses ${what} with MANIFEST_INVALID`, async () => {
      const reply = await http.putManifest('shop/web', 'bad', body, mediaType);
      assert.equal(reply.status, 400);
      assert.equal(firstError(reply).code, 'MANIFEST_INVALID');
    });
  }

  it('refuses a Content-Type that contradicts the manifest, and an invalid tag, with MANIFEST_INVALID', async () => {
    const mismatch = await http.putManifest('shop/web', 'v1', imageManifest(OCI_MANIFEST), DOCKER_MANIFEST);
    assert.equal(firstError(mismatch).code, 'MANIFEST_INVALID');
    const badTag = await http.putManifest('shop/web', '-bad-tag', imageManifest(OCI_MANIFEST), OCI_MANIFEST);
    assert.equal(firstError(badTag).code, 'MANIFEST_INVALID');
  });

  it('refuses a manifest over 4 MiB with 413', async () => {
    const reply = await http.putManifest('shop/web', 'huge', Buffer.alloc(4 * 1024 * 1024 + 1, 0x20), OCI_MANIFEST);
    assert.equal(reply.status, 413);
  });

  for (const [kind, listType, childType] of [
    ['an OCI image index', OCI_INDEX, OCI_MANIFEST],
    ['a Docker manifest list', DOCKER_LIST, DOCKER_MANIFEST],
  ]) {
    it(`stores ${kind} whose manifests are here, and refuses one with a missing manifest`, async () => {
      const child = imageManifest(childType);
      await http.putManifest('shop/multi', sha256(child), child, childType);
      const entry = (digest: string, size: number) => ({ mediaType: childType, digest, size, platform: { architecture: 'amd64', os: 'linux' } });
      const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: listType, manifests: [entry(sha256(child), child.length)] }, null, 2));
      const put = await http.putManifest('shop/multi', kind.includes('OCI') ? 'oci' : 'docker', list, listType);
      assert.equal(put.status, 201);
      const got = await http.request('GET', `/v2/shop/multi/manifests/${kind.includes('OCI') ? 'oci' : 'docker'}`);
      assert.deepEqual(got.body, list);
      assert.equal(got.headers.get('content-type'), listType);
      const missing = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: listType, manifests: [entry(sha256('gone'), 4)] }));
      const refused = await http.putManifest('shop/multi', 'missing', missing, listType);
      assert.equal(firstError(refused).code, 'MANIFEST_BLOB_UNKNOWN');
    });
  }

  it('answers MANIFEST_UNKNOWN for an unknown tag, an unknown digest and a digest that is a layer', async () => {
    for (const reference of ['nope', sha256('nothing'), layer.digest]) {
      const reply = await http.request('GET', `/v2/shop/web/manifests/${reference}`);
      assert.equal(reply.status, 404, reference);
      assert.equal(firstError(reply).code, 'MANIFEST_UNKNOWN', reference);
    }
    assert.equal((await http.request('HEAD', '/v2/shop/web/manifests/nope')).status, 404);
  });

  it('deletes a tag, and a digest from this repository only', async () => {
    const bytes = imageManifest(OCI_MANIFEST);
    await http.putManifest('shop/del', 'a', bytes, OCI_MANIFEST);
    await http.putManifest('shop/del', 'b', bytes, OCI_MANIFEST);
    await http.putManifest('shop/keep', 'a', bytes, OCI_MANIFEST);
    assert.equal((await http.request('DELETE', '/v2/shop/del/manifests/a')).status, 202);
    assert.equal((await http.request('GET', '/v2/shop/del/manifests/a')).status, 404);
    assert.equal((await http.request('DELETE', `/v2/shop/del/manifests/${sha256(bytes)}`)).status, 202);
    assert.equal((await http.request('GET', '/v2/shop/del/manifests/b')).status, 404);
    assert.equal((await http.request('GET', '/v2/shop/keep/manifests/a')).status, 200);
    assert.equal(firstError(await http.request('DELETE', '/v2/shop/del/manifests/a')).code, 'MANIFEST_UNKNOWN');
  });

  it('lists tags in order, paginated with n, last and a Link header', async () => {
    const bytes = imageManifest(OCI_MANIFEST);
    for (const tag of ['v3', 'v1', 'latest', 'v2', 'v10']) await http.putManifest('shop/tags', tag, bytes, OCI_MANIFEST);
    const all = await http.request('GET', '/v2/shop/tags/tags/list');
    assert.deepEqual(all.json, { name: 'shop/tags', tags: ['latest', 'v1', 'v10', 'v2', 'v3'] });
    assert.equal(all.headers.get('link'), null);
    const pages: string[][] = [];
    let next: string | null = '/v2/shop/tags/tags/list?n=2';
    while (next) {
      const page = await http.request('GET', next);
      pages.push(page.json.tags);
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.deepEqual(pages, [['latest', 'v1'], ['v10', 'v2'], ['v3']]);
    assert.deepEqual((await http.request('GET', '/v2/shop/tags/tags/list?last=v10')).json.tags, ['v2', 'v3']);
    assert.deepEqual((await http.request('GET', '/v2/shop/tags/tags/list?n=0')).json.tags, []);
    const unknown = await http.request('GET', '/v2/shop/none/tags/list');
    assert.equal(unknown.status, 404);
    assert.equal(firstError(unknown).code, 'NAME_UNKNOWN');
  });

  it('lists repositories in the catalog', async () => {
    const catalog = await http.request('GET', '/v2/_catalog');
    assert.ok(['shop/web', 'shop/multi', 'shop/tags'].every((name) => catalog.json.repositories.includes(name)));
    const page = await http.request('GET', '/v2/_catalog?n=1');
    assert.equal(page.json.repositories.length, 1);
    assert.match(page.headers.get('link') ?? '', /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);
  });

  it('serves images that Berth built into the layer store as NAME:TAG', async () => {
    const built = await registry.store.blobs.writeBlob(randomBytes(100));
    const stored = await registry.store.putImage({
      config: buildImageConfig({ architecture: 'amd64', diffIds: [sha256('built layer') as `sha256:${string}`] }),
      layers: [built],
    });
    await registry.store.tag('myapp:v3', stored.manifest.digest);
    const reply = await http.request('GET', '/v2/myapp/manifests/v3');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('docker-content-digest'), stored.manifest.digest);
    assert.equal(reply.headers.get('content-type'), OCI_MANIFEST);
    assert.deepEqual((await http.request('GET', '/v2/myapp/tags/list')).json.tags, ['v3']);
  });
});
