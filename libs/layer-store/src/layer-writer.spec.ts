import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Digest } from './digest';
import { LayerStore } from './layer-store';
import { MediaType } from './media-types';
import { openTempStore, readAll, sha256Of, tempDir } from './spec-helpers';
import { tarDirectory } from './tar-directory';

describe('LayerWriter', () => {
  it('computes DiffID of the tar and digest of the gzip in one pass', async () => {
    const store = await openTempStore();
    const dir = tempDir();
    await fs.writeFile(join(dir, 'hello.txt'), 'hello '.repeat(10_000));
    const tar = await readAll(tarDirectory(dir));
    const layer = await store.writeLayer(tarDirectory(dir));
    const blob = await readAll(await store.blobs.openRead(layer.digest));
    assert.equal(layer.diffId, sha256Of(tar));
    assert.equal(layer.digest, sha256Of(blob));
    assert.notEqual(layer.diffId, layer.digest);
    assert.equal(layer.size, blob.length);
    assert.equal(layer.uncompressedSize, tar.length);
    assert.ok(blob.length < tar.length / 10, 'repetitive content compresses');
    assert.deepEqual(gunzipSync(blob), tar);
  });

  it('persists the DiffID <-> digest mapping for other store instances', async () => {
    const store = await openTempStore();
    const dir = tempDir();
    await fs.writeFile(join(dir, 'a'), 'a');
    const layer = await store.writeLayer(tarDirectory(dir));
    const reopened = new LayerStore({ root: store.layout.root });
    assert.deepEqual(await reopened.layers.findByDiffId(layer.diffId), { diffId: layer.diffId, digest: layer.digest, size: layer.size });
    assert.deepEqual(await reopened.layers.findByDigest(layer.digest), { diffId: layer.diffId, digest: layer.digest, size: layer.size });
    assert.equal(await reopened.snapshots.diffIdOf(layer.digest), layer.diffId);
  });

  it('builds a manifest from written layers and refuses DiffIDs in the wrong order', async () => {
    const store = await openTempStore();
    const dir = tempDir();
    await fs.writeFile(join(dir, 'one'), '1');
    const first = await store.writeLayer(tarDirectory(dir));
    await fs.writeFile(join(dir, 'two'), '2');
    const second = await store.writeLayer(tarDirectory(dir));
    const config = (diffIds: Digest[]) => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' as const, diff_ids: diffIds } });
    const image = await store.putImage({ config: config([first.diffId, second.diffId]), layers: [first, second] });
    const manifest = await store.images.readManifest(image.manifest.digest);
    assert.ok(manifest.parsed.kind === 'image');
    assert.deepEqual(manifest.parsed.manifest.layers.map((layer) => [layer.mediaType, layer.digest]), [
      [MediaType.OciLayerGzip, first.digest],
      [MediaType.OciLayerGzip, second.digest],
    ]);
    await assert.rejects(store.putImage({ config: config([second.diffId, first.diffId]), layers: [first, second] }), /DiffID/);
  });

  it('honours the gzip level', async () => {
    const dir = tempDir();
    await fs.writeFile(join(dir, 'data'), Array.from({ length: 50_000 }, (_, index) => `line ${index % 977}\n`).join(''));
    const fast = await (await openTempStore({ gzipLevel: 1 })).writeLayer(tarDirectory(dir));
    const small = await (await openTempStore({ gzipLevel: 9 })).writeLayer(tarDirectory(dir));
    assert.equal(fast.diffId, small.diffId);
    assert.ok(small.size < fast.size, `level 9 (${small.size}) should be smaller than level 1 (${fast.size})`);
  });
});
