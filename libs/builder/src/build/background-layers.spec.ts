import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LayerStore, tarDirectory } from '@berth/layer-store';
import { BackgroundWork, packLayer } from './background-layers';

describe('packLayer', () => {
  let dir: string;
  let tree: string;
  let store: LayerStore;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-pack-'));
    tree = path.join(dir, 'tree');
    await fs.mkdir(path.join(tree, 'app/src'), { recursive: true });
    await fs.writeFile(path.join(tree, 'app/src/main.sh'), 'echo hello\n'.repeat(100));
    await fs.writeFile(path.join(tree, 'app/blob.bin'), randomBytes(200_000));
    store = await LayerStore.open({ root: path.join(dir, 'store') });
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it('answers the DiffID at once and stores the same blob as writing the layer directly', async () => {
    const expected = await (await LayerStore.open({ root: path.join(dir, 'other-store') })).writeLayer(tarDirectory(tree));
    const packed = await packLayer(store, tarDirectory(tree));
    assert.equal(packed.diffId, expected.diffId);
    // The tree may go (become a snapshot) before the blob is stored.
    const moved = path.join(dir, 'moved');
    await fs.rename(tree, moved);
    try {
      assert.deepEqual(await packed.blob, { digest: expected.digest, size: expected.size });
      assert.ok(await store.blobs.has(expected.digest));
      assert.deepEqual(await store.layers.findByDiffId(expected.diffId), { diffId: expected.diffId, digest: expected.digest, size: expected.size });
    } finally {
      await fs.rename(moved, tree);
    }
  });

  it('streams a layer bigger than the memory budget into the store before answering', async () => {
    const expected = await store.writeLayer(tarDirectory(tree));
    const packed = await packLayer(store, tarDirectory(tree), 64 * 1024);
    assert.equal(packed.diffId, expected.diffId);
    assert.deepEqual(await packed.blob, { digest: expected.digest, size: expected.size });
  });
});

describe('BackgroundWork', () => {
  it('settles after everything tracked and reports the first failure', async () => {
    const work = new BackgroundWork();
    const done: string[] = [];
    work.track(new Promise((resolve) => setTimeout(resolve, 20)).then(() => done.push('slow')));
    work.track(Promise.reject(new Error('disk full')));
    work.track(Promise.reject(new Error('second')));
    await assert.rejects(work.settle(), /disk full/);
    assert.deepEqual(done, ['slow']);
  });

  it('keeps a failure nobody awaited yet from being an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const work = new BackgroundWork();
      work.track(Promise.reject(new Error('later')));
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
      await assert.rejects(work.settle(), /later/);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
