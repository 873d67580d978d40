import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json';
import { Digest } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { buildImageConfig } from './image-config';
import { LayerStore } from './layer-store';
import { MediaType, REF_NAME_ANNOTATION } from './media-types';
import { openTempStore, sha256Of } from './spec-helpers';

function hasCode(code: LayerStoreErrorCode) {
  return (error: unknown): boolean => error instanceof LayerStoreError && error.code === code;
}

async function storeSimpleImage(store: LayerStore, content = 'layer'): Promise<Digest> {
  const layer = await store.blobs.writeBlob(Buffer.from(content));
  const config = buildImageConfig({
    architecture: 'amd64',
    diffIds: [sha256Of(`${content}-uncompressed`)],
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'], ExposedPorts: { '8080/tcp': {} }, Labels: { app: 'x' } },
    history: [{ created_by: 'COPY . /' }, { created_by: 'CMD ["/bin/sh"]', empty_layer: true }],
  });
  return (await store.putImage({ config, layers: [layer] })).manifest.digest;
}

describe('canonical JSON', () => {
  it('sorts keys, drops undefined and has no whitespace', () => {
    const bytes = canonicalJson({ b: 1, a: { d: [1, 'x'], c: null }, skipped: undefined, 'é': true });
    assert.equal(bytes.toString(), '{"a":{"c":null,"d":[1,"x"]},"b":1,"é":true}');
  });
});

describe('image config', () => {
  it('refuses history that does not match the layers', () => {
    assert.throws(
      () => buildImageConfig({ architecture: 'amd64', diffIds: [sha256Of('a')], history: [{ created_by: 'x', empty_layer: true }] }),
      hasCode(LayerStoreErrorCode.InvalidImageConfig),
    );
  });

  it('writes rootfs, config and history in OCI form', () => {
    const config = buildImageConfig({ architecture: 'arm64', diffIds: [sha256Of('a')], config: { User: '1000', WorkingDir: '/app' } });
    assert.deepEqual(config, {
      architecture: 'arm64',
      os: 'linux',
      config: { User: '1000', WorkingDir: '/app' },
      rootfs: { type: 'layers', diff_ids: [sha256Of('a')] },
    });
  });
});

describe('manifests', () => {
  it('stores an OCI manifest whose digest is the sha256 of its bytes', async () => {
    const store = await openTempStore();
    const digest = await storeSimpleImage(store);
    const stored = await store.images.readManifest(digest);
    assert.equal(sha256Of(stored.bytes), digest);
    assert.equal(stored.descriptor.mediaType, MediaType.OciManifest);
    assert.ok(stored.parsed.kind === 'image');
    assert.equal(stored.parsed.manifest.config.mediaType, MediaType.OciConfig);
    assert.equal(stored.parsed.manifest.layers[0]?.mediaType, MediaType.OciLayerGzip);
    assert.equal(await storeSimpleImage(store), digest, 'same input, same digest');
  });

  it('keeps pushed Docker schema2 bytes exactly, whitespace and key order included', async () => {
    const store = await openTempStore();
    const rootfs = { type: 'layers', diff_ids: [sha256Of('l')] };
    const config = await store.blobs.writeBlob(canonicalJson({ architecture: 'amd64', os: 'linux', rootfs }));
    const layer = await store.blobs.writeBlob(Buffer.from('gzip bytes'));
    const text = [
      '{',
      '   "schemaVersion": 2,',
      `   "mediaType": "${MediaType.DockerManifest}",`,
      `   "config": {"mediaType": "${MediaType.DockerConfig}", "size": ${config.size}, "digest": "${config.digest}"},`,
      `   "layers": [{"mediaType": "${MediaType.DockerLayerGzip}", "size": ${layer.size}, "digest": "${layer.digest}"}]`,
      '}',
    ].join('\n');
    const bytes = Buffer.from(text);
    const descriptor = await store.images.putManifest(bytes, sha256Of(bytes));
    assert.equal(descriptor.mediaType, MediaType.DockerManifest);
    assert.deepEqual((await store.images.readManifest(descriptor.digest)).bytes, bytes);
    await store.tag('pulled/app:1', descriptor.digest);
    const image = await store.images.resolveImage('pulled/app:1');
    assert.equal(image.manifestDigest, sha256Of(bytes));
    assert.deepEqual(image.config.rootfs.diff_ids, [sha256Of('l')]);
  });

  it('resolves a manifest list to the requested platform', async () => {
    const store = await openTempStore();
    const amd64 = await storeSimpleImage(store, 'amd64 layer');
    const arm64 = await storeSimpleImage(store, 'arm64 layer');
    const entry = async (digest: Digest, architecture: string) => ({
      mediaType: MediaType.OciManifest,
      digest,
      size: (await store.blobs.stat(digest)).size,
      platform: { os: 'linux', architecture },
    });
    const manifests = [await entry(amd64, 'amd64'), await entry(arm64, 'arm64')];
    const list = { schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests };
    const descriptor = await store.images.putManifest(canonicalJson(list));
    assert.equal(descriptor.mediaType, MediaType.DockerManifestList);
    await store.tag('multi:latest', descriptor.digest);
    assert.equal((await store.images.resolveImage('multi', { os: 'linux', architecture: 'arm64' })).manifestDigest, arm64);
    assert.equal((await store.images.resolveImage('multi:latest', { os: 'linux', architecture: 'amd64' })).manifestDigest, amd64);
    await assert.rejects(
      store.images.resolveImage('multi', { os: 'linux', architecture: 's390x' }),
      hasCode(LayerStoreErrorCode.UnknownImage),
    );
  });

  it('refuses schema 1 and manifests whose blobs are missing', async () => {
    const store = await openTempStore();
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }));
    await assert.rejects(store.images.putManifest(schema1), hasCode(LayerStoreErrorCode.UnsupportedMediaType));
    const missingConfig = { mediaType: MediaType.OciConfig, digest: sha256Of('no'), size: 2 };
    const dangling = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: missingConfig, layers: [] };
    await assert.rejects(store.images.putManifest(canonicalJson(dangling)), hasCode(LayerStoreErrorCode.BlobNotFound));
  });
});

describe('tags', () => {
  it('round-trips tag, resolve, listImages and untag', async () => {
    const store = await openTempStore();
    const digest = await storeSimpleImage(store);
    await store.tag('myapp:v1', digest);
    await store.tag('registry.local:5000/team/myapp:v1', digest);
    assert.equal(await store.resolve('myapp:v1'), digest);
    assert.equal(await store.resolve(`myapp@${digest}`), digest);
    assert.equal(await store.resolve(digest), digest);
    const images = await store.listImages();
    assert.deepEqual(images.map((image) => image.reference), ['myapp:v1', 'registry.local:5000/team/myapp:v1']);
    const manifestSize = (await store.blobs.stat(digest)).size;
    assert.ok((images[0]?.size ?? 0) > manifestSize, 'size counts manifest, config and layers');
    const index = JSON.parse(await fs.readFile(store.layout.indexFile, 'utf8'));
    assert.equal(index.manifests[0].annotations[REF_NAME_ANNOTATION], 'myapp:v1');
    const tags = await store.images.listTags();
    assert.deepEqual(tags.map((entry) => [entry.reference, entry.descriptor.digest]).sort(), [
      ['myapp:v1', digest],
      ['registry.local:5000/team/myapp:v1', digest],
    ]);
    assert.equal(await store.untag('myapp:v1'), true);
    assert.equal(await store.untag('myapp:v1'), false);
    await assert.rejects(store.resolve('myapp:v1'), hasCode(LayerStoreErrorCode.UnknownImage));
  });

  it('moves a tag and defaults to latest', async () => {
    const store = await openTempStore();
    const first = await storeSimpleImage(store, 'one');
    const second = await storeSimpleImage(store, 'two');
    await store.tag('app', first);
    await store.tag('app:latest', second);
    assert.equal(await store.resolve('app'), second);
    assert.equal((await store.listImages()).length, 1);
  });

  it('refuses bad references and unknown manifests', async () => {
    const store = await openTempStore();
    for (const bad of ['UPPER:case', 'app:', 'app:bad tag', '../x:y', 'app@sha256:12']) {
      await assert.rejects(store.tag(bad, sha256Of('x')), hasCode(LayerStoreErrorCode.InvalidReference), bad);
    }
    await assert.rejects(store.tag('app:v1', sha256Of('nothing')), hasCode(LayerStoreErrorCode.UnknownImage));
  });

  it('loses no update when many taggers race, across store instances', async () => {
    const first = await openTempStore();
    const second = new LayerStore({ root: first.layout.root });
    const digest = await storeSimpleImage(first);
    const taggers = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).tag(`app:t${index}`, digest));
    await Promise.all(taggers);
    assert.equal((await first.listImages()).length, 40);
    assert.deepEqual(await fs.readdir(first.layout.tmpDir), []);
    assert.deepEqual(await fs.readdir(first.layout.locksDir), []);
  });
});
