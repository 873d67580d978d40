import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json';
import { Digest } from './digest';
import { LayerStore } from './layer-store';
import { fileHeader, openTempStore, tarOf } from './spec-helpers';

interface TestImage {
  manifest: Digest;
  config: Digest;
  layers: Digest[];
  chainIds: Digest[];
}

/** An image whose layers each hold one file; layers with the same name are shared between images. */
async function makeImage(store: LayerStore, files: string[]): Promise<TestImage> {
  const layers = [];
  for (const file of files) layers.push(await store.writeLayer(Readable.from([await tarOf([fileHeader(file, file)])])));
  const rootfs = { type: 'layers' as const, diff_ids: layers.map((layer) => layer.diffId) };
  const config = { architecture: 'amd64', os: 'linux', rootfs };
  const image = await store.putImage({ config, layers });
  const snapshots = await store.snapshots.prepare(layers.map((layer) => layer.digest));
  return {
    manifest: image.manifest.digest,
    config: image.config.digest,
    layers: layers.map((layer) => layer.digest),
    chainIds: snapshots.map((snapshot) => snapshot.chainId),
  };
}

function allDigests(image: TestImage): Digest[] {
  return [image.manifest, image.config, ...image.layers];
}

async function present(store: LayerStore, image: TestImage): Promise<boolean[]> {
  const blobs = await Promise.all(allDigests(image).map((digest) => store.blobs.has(digest)));
  const snapshots = await Promise.all(image.chainIds.map(async (chainId) => (await store.snapshots.find(chainId)) !== null));
  return [...blobs, ...snapshots];
}

const everything = (flags: boolean[]): boolean => flags.every(Boolean);
const nothing = (flags: boolean[]): boolean => flags.every((flag) => !flag);

describe('gc', () => {
  it('keeps tagged, leased and extra-root images and removes the rest', async () => {
    const store = await openTempStore({ gc: { graceMs: 0 }, processProbe: { isAlive: (pid) => pid === process.pid } });
    const tagged = await makeImage(store, ['base', 'tagged']);
    const extra = await makeImage(store, ['extra']);
    const leased = await makeImage(store, ['leased']);
    const garbage = await makeImage(store, ['base', 'garbage']);
    await store.tag('app:v1', tagged.manifest);
    const lease = await store.acquireLease([leased.manifest, ...leased.chainIds]);
    await fs.writeFile(join(store.layout.leasesDir, 'dead.json'), canonicalJson({ pid: 999_999_999, digests: [garbage.manifest] }));

    const dryRun = await store.gc({ extraRoots: [extra.manifest], dryRun: true });
    assert.equal(dryRun.removedBlobs.length, 3);
    assert.ok(everything(await present(store, garbage)), 'a dry run removes nothing');

    const report = await store.gc({ extraRoots: [extra.manifest] });
    assert.ok(everything(await present(store, tagged)));
    assert.ok(everything(await present(store, extra)));
    assert.ok(everything(await present(store, leased)));
    const [garbageManifest, garbageConfig, sharedBase, garbageLayer, sharedSnapshot, garbageSnapshot] = await present(store, garbage);
    assert.deepEqual([garbageManifest, garbageConfig, garbageLayer, garbageSnapshot], [false, false, false, false]);
    assert.deepEqual([sharedBase, sharedSnapshot], [true, true], 'the base layer and its snapshot are shared with the tag');
    assert.deepEqual(report.removedBlobs.map((blob) => blob.digest).sort(), [garbage.manifest, garbage.config, garbage.layers[1]].sort());
    assert.deepEqual(report.removedSnapshots, [garbage.chainIds[1]]);
    assert.deepEqual(report.removedStaleLeases, [join(store.layout.leasesDir, 'dead.json')]);
    assert.ok(report.bytesFreed > 0);
    assert.equal(await store.layers.findByDigest(garbage.layers[1] as Digest), null, 'the DiffID mapping goes with the blob');

    await lease.release();
    await store.gc();
    assert.ok(nothing(await present(store, leased)), 'released leases protect nothing');
    assert.ok(nothing(await present(store, extra)), 'extra roots count only for the call that passes them');
    assert.ok(everything(await present(store, tagged)));
  });

  it('spares blobs and snapshots younger than the grace period', async () => {
    let now = Date.now();
    const store = await openTempStore({ clock: { now: () => now } });
    const image = await makeImage(store, ['fresh']);
    assert.equal((await store.gc()).removedBlobs.length, 0);
    assert.ok(everything(await present(store, image)));
    now += 11 * 60_000;
    await store.gc();
    assert.ok(nothing(await present(store, image)));
  });

  it('removes temp files older than an hour and keeps younger ones', async () => {
    const store = await openTempStore();
    const old = join(store.layout.tmpDir, 'blob-1-crashed');
    const fresh = join(store.layout.tmpDir, 'blob-2-writing');
    await fs.writeFile(old, 'half a blob');
    await fs.writeFile(fresh, 'in progress');
    const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
    await fs.utimes(old, twoHoursAgo, twoHoursAgo);
    const report = await store.gc();
    assert.deepEqual(report.removedTempFiles, [old]);
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), ['blob-2-writing']);
  });

  it('lets a lease grow as a build writes more', async () => {
    const store = await openTempStore({ gc: { graceMs: 0 } });
    const lease = await store.acquireLease([]);
    const image = await makeImage(store, ['building']);
    await lease.add(allDigests(image));
    await store.gc();
    assert.deepEqual((await present(store, image)).slice(0, 3), [true, true, true]);
    await lease.release();
    await lease.release();
  });
});
