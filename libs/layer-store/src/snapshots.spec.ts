import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, TestContext } from 'node:test';
import { chainIdsOf } from './digest';
import { LayerStoreError, LayerStoreErrorCode } from './errors';
import { LayerStore } from './layer-store';
import { fileHeader, openTempStore, run, tarOf, tempDir } from './spec-helpers';
import { tarDirectory } from './tar-directory';
import { TarSourceEntry } from './tar/tar-writer';

const MTIME = 1_650_000_000;

function entry(path: string, type: 'directory' | 'symlink' | 'hardlink', linkTarget?: string): TarSourceEntry {
  return { header: { path, type, mode: type === 'directory' ? 0o755 : 0o777, uid: 0, gid: 0, size: 0, mtime: MTIME, linkTarget } };
}

async function storeLayer(store: LayerStore, entries: TarSourceEntry[]) {
  return store.writeLayer(Readable.from([await tarOf(entries)]));
}

async function assertNothingLeft(store: LayerStore): Promise<void> {
  assert.deepEqual(await fs.readdir(store.layout.snapshotsDir), []);
  assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
}

describe('snapshots', () => {
  it('extracts preserving modes, owners, mtimes, links and capabilities', async () => {
    const store = await openTempStore();
    const src = tempDir();
    await fs.mkdir(join(src, 'bin'));
    await fs.writeFile(join(src, 'bin/tool'), 'tool');
    await fs.chown(join(src, 'bin/tool'), 1000, 1001);
    await fs.chmod(join(src, 'bin/tool'), 0o4750);
    await fs.link(join(src, 'bin/tool'), join(src, 'bin/same-tool'));
    await fs.symlink('/bin/tool', join(src, 'bin/absolute-link'));
    await fs.writeFile(join(src, 'capable'), 'x');
    assert.equal(run('setcap', ['cap_net_bind_service+ep', join(src, 'capable')]).status, 0);
    for (const name of ['bin/tool', 'capable', 'bin']) await fs.utimes(join(src, name), MTIME, MTIME);
    const layer = await store.writeLayer(tarDirectory(src));
    const [snapshot] = await store.snapshots.prepare([layer.digest]);
    assert.ok(snapshot);
    assert.equal(snapshot.chainId, layer.diffId);
    const tool = await fs.lstat(join(snapshot.path, 'bin/tool'));
    assert.deepEqual([tool.mode & 0o7777, tool.uid, tool.gid, tool.nlink, tool.mtimeMs / 1000], [0o4750, 1000, 1001, 2, MTIME]);
    assert.equal((await fs.lstat(join(snapshot.path, 'bin'))).mtimeMs / 1000, MTIME);
    assert.equal(await fs.readlink(join(snapshot.path, 'bin/absolute-link')), '/bin/tool');
    assert.match(run('getcap', [join(snapshot.path, 'capable')]).stdout, /cap_net_bind_service=ep/);
  });

  it('unpacks again, after a reboot, the snapshots written before it (their files were never fsynced)', async () => {
    const store = await openTempStore();
    const layer = await storeLayer(store, [entry('etc', 'directory'), fileHeader('etc/app.conf', 'v1')]);
    const [before] = await store.snapshots.prepare([layer.digest]);
    const root = store.layout.root;
    // Opened again in the same boot: the snapshot is kept.
    const sameBoot = await LayerStore.open({ root, bootTime: async () => Date.now() - 60_000 });
    assert.deepEqual(await sameBoot.snapshots.list(), [before.chainId]);
    // The machine has rebooted since: the snapshot may hold files the crash cut, so it goes...
    const rebooted = await LayerStore.open({ root, bootTime: async () => Date.now() + 1000 });
    assert.deepEqual(await rebooted.snapshots.list(), []);
    // ...and the next build unpacks it again from its blob.
    const [again] = await rebooted.snapshots.prepare([layer.digest]);
    assert.equal(await fs.readFile(join(again.path, 'etc/app.conf'), 'utf8'), 'v1');
  });

  it('turns whiteouts into overlay whiteouts that hide lower files when mounted', async (context: TestContext) => {
    const store = await openTempStore();
    const lower = await storeLayer(store, [
      entry('etc', 'directory'),
      fileHeader('etc/keep.conf', 'keep'),
      fileHeader('etc/gone.conf', 'gone'),
      entry('var', 'directory'),
      entry('var/cache', 'directory'),
      fileHeader('var/cache/old', 'old'),
    ]);
    const upper = await storeLayer(store, [
      entry('etc', 'directory'),
      fileHeader('etc/.wh.gone.conf', ''),
      entry('var/cache', 'directory'),
      fileHeader('var/cache/.wh..wh..opq', ''),
      fileHeader('var/cache/new', 'new'),
    ]);
    const [bottom, top] = await store.snapshots.prepare([lower.digest, upper.digest]);
    assert.ok(bottom && top);
    assert.deepEqual([bottom.chainId, top.chainId], chainIdsOf([lower.diffId, upper.diffId]));
    const whiteout = await fs.lstat(join(top.path, 'etc/gone.conf'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'whiteout is a 0/0 character device');
    assert.match(run('getfattr', ['--absolute-names', '-n', 'trusted.overlay.opaque', join(top.path, 'var/cache')]).stdout, /="y"/);
    await assertOverlayView(context, [top.path, bottom.path]);
  });

  it('refuses an extraction whose ChainID does not match and leaves nothing', async () => {
    const store = await openTempStore();
    const layer = await storeLayer(store, [fileHeader('a', 'a')]);
    const other = await storeLayer(store, [fileHeader('b', 'b')]);
    await assert.rejects(store.extractLayer(other.diffId, layer.digest), hasCode(LayerStoreErrorCode.DigestMismatch));
    await assertNothingLeft(store);
    await assert.rejects(store.extractLayer(layer.diffId, layer.digest, other.diffId), hasCode(LayerStoreErrorCode.DigestMismatch));
    await assertNothingLeft(store);
  });

  it('lets concurrent extractions of one ChainID both succeed', async () => {
    const store = await openTempStore();
    const layer = await storeLayer(store, [fileHeader('a', 'a')]);
    const results = await Promise.all([1, 2, 3].map(() => store.extractLayer(layer.diffId, layer.digest)));
    assert.ok(results.every((result) => result.path === results[0]?.path));
    assert.equal(await fs.readFile(join(results[0]?.path ?? '', 'a'), 'utf8'), 'a');
    assert.deepEqual(await fs.readdir(store.layout.tmpDir), []);
  });
});

describe('hostile layers', () => {
  const outside = tempDir('layer-store-outside-');
  const cases: [string, TarSourceEntry[]][] = [
    ['a ../ path', [fileHeader('../escaped', 'x')]],
    ['a ../ in the middle', [entry('a', 'directory'), fileHeader('a/../../escaped', 'x')]],
    ['an absolute path', [fileHeader(`${outside}/pwned`, 'x')]],
    ['a write through an absolute symlink', [entry('escape', 'symlink', outside), fileHeader('escape/pwned', 'x')]],
    ['a write through a relative symlink', [entry('escape', 'symlink', `${'../'.repeat(12)}${outside}`), fileHeader('escape/pwned', 'x')]],
    ['a directory through a symlink', [entry('escape', 'symlink', outside), entry('escape/newdir', 'directory')]],
    ['a hardlink out of the root', [entry('passwd', 'hardlink', '../../../../etc/passwd')]],
    ['a hardlink to an absolute path', [entry('passwd', 'hardlink', '/etc/passwd')]],
    ['a write through a hardlinked symlink', [entry('s', 'symlink', outside), entry('h', 'hardlink', 's'), fileHeader('h/pwned', 'x')]],
    ['a whiteout through a symlink', [entry('escape', 'symlink', outside), fileHeader('escape/.wh.victim', '')]],
  ];
  for (const [name, entries] of cases) {
    it(`refuses ${name} and leaves nothing behind`, async () => {
      const store = await openTempStore();
      const layer = await storeLayer(store, entries);
      await assert.rejects(store.extractLayer(layer.diffId, layer.digest), hasCode(LayerStoreErrorCode.HostileArchive));
      await assertNothingLeft(store);
      assert.deepEqual(await fs.readdir(outside), []);
    });
  }
});

function hasCode(code: LayerStoreErrorCode) {
  return (error: unknown): boolean => error instanceof LayerStoreError && error.code === code;
}

async function assertOverlayView(context: TestContext, lowerDirsTopFirst: string[]): Promise<void> {
  const merged = tempDir('layer-store-merged-');
  const mount = run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerDirsTopFirst.join(':')}`, merged]);
  if (mount.status !== 0) {
    context.skip(`overlayfs is not available here (${mount.stderr.trim()}); the on-disk whiteouts were checked`);
    return;
  }
  try {
    assert.equal(await fs.readFile(join(merged, 'etc/keep.conf'), 'utf8'), 'keep');
    await assert.rejects(fs.lstat(join(merged, 'etc/gone.conf')), { code: 'ENOENT' });
    assert.deepEqual(await fs.readdir(join(merged, 'var/cache')), ['new']);
  } finally {
    run('umount', [merged]);
  }
}
