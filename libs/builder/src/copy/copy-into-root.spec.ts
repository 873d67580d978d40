import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DirectoryContext } from '../context/directory-context';
import { copyIntoRoot, CopyTarget } from './copy-into-root';
import { resolveSources } from './resolve-sources';

describe('COPY from a directory context', () => {
  let dir: string;
  let contextDir: string;
  let rootfs: string;
  let outside: string;
  let context: DirectoryContext;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-copy-'));
    contextDir = path.join(dir, 'context');
    outside = path.join(dir, 'outside');
    await fs.mkdir(path.join(contextDir, 'src/sub'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret'), 'secret');
    await fs.writeFile(path.join(contextDir, 'a.txt'), 'a');
    await fs.writeFile(path.join(contextDir, 'b.txt'), 'b');
    await fs.writeFile(path.join(contextDir, 'run.sh'), '#!/bin/sh', { mode: 0o755 });
    await fs.writeFile(path.join(contextDir, 'src/main.js'), 'main');
    await fs.writeFile(path.join(contextDir, 'src/sub/deep.js'), 'deep');
    await fs.writeFile(path.join(contextDir, 'ignored.log'), 'log');
    await fs.symlink('main.js', path.join(contextDir, 'src/link.js'));
    await fs.symlink('a.txt', path.join(contextDir, 'alias.txt'));
    await fs.symlink('../outside/secret', path.join(contextDir, 'escape'));
    await fs.writeFile(path.join(contextDir, 'suid'), 'suid');
    await fs.chmod(path.join(contextDir, 'suid'), 0o4755);
    await fs.mkdir(path.join(contextDir, 'h'));
    await fs.writeFile(path.join(contextDir, 'h/one'), 'linked');
    await fs.link(path.join(contextDir, 'h/one'), path.join(contextDir, 'h/two'));
    await fs.chown(path.join(contextDir, 'h/one'), 1000, 1001);
    await fs.symlink('/src/main.js', path.join(contextDir, 'abs-link'));
    await fs.symlink('/etc/passwd', path.join(contextDir, 'host-link'));
    context = new DirectoryContext(contextDir, (p) => p.endsWith('.log'), { keepOwners: false });
  });

  beforeEach(async () => {
    rootfs = path.join(dir, `root-${Math.random().toString(36).slice(2)}`);
    await fs.mkdir(path.join(rootfs, 'app'), { recursive: true });
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  const target = (dest: string, extra: Partial<CopyTarget> = {}): CopyTarget => ({ dest, workdir: '/app', owner: { uid: 0, gid: 0 }, ...extra });
  const copy = async (sources: string[], dest: string, extra: Partial<CopyTarget> = {}) =>
    copyIntoRoot(context, await resolveSources(context, sources), rootfs, target(dest, extra));
  const read = (p: string) => fs.readFile(path.join(rootfs, p), 'utf8');

  it('copies a file to a file path, relative to WORKDIR', async () => {
    await copy(['a.txt'], 'renamed.txt');
    assert.equal(await read('app/renamed.txt'), 'a');
  });

  it('copies a file into an existing directory or a path ending in /', async () => {
    await copy(['a.txt'], '/app');
    await copy(['b.txt'], '/new/dir/');
    assert.equal(await read('app/a.txt'), 'a');
    assert.equal(await read('new/dir/b.txt'), 'b');
  });

  it('copies the contents of a directory, keeping symlinks as symlinks', async () => {
    await copy(['src'], '/srv');
    assert.equal(await read('srv/main.js'), 'main');
    assert.equal(await read('srv/sub/deep.js'), 'deep');
    assert.equal(await fs.readlink(path.join(rootfs, 'srv/link.js')), 'main.js');
  });

  it('expands wildcards and needs a directory destination for several sources', async () => {
    await copy(['*.txt'], '/out/');
    assert.deepEqual((await fs.readdir(path.join(rootfs, 'out'))).sort(), ['a.txt', 'alias.txt', 'b.txt']);
    await assert.rejects(copy(['a.txt', 'b.txt'], '/file'), /must be a directory and end with a \//);
  });

  it('copies a top-level symlink source as its target, under its own name', async () => {
    await copy(['alias.txt'], '/x/');
    const stat = await fs.lstat(path.join(rootfs, 'x/alias.txt'));
    assert.ok(stat.isFile());
    assert.equal(await read('x/alias.txt'), 'a');
  });

  it('keeps modes, applies --chmod and --chown', async () => {
    await copy(['run.sh'], '/bin/');
    assert.equal((await fs.stat(path.join(rootfs, 'bin/run.sh'))).mode & 0o777, 0o755);
    await copy(['a.txt'], '/owned.txt', { owner: { uid: 1234, gid: 5678 }, chmod: 0o600 });
    const stat = await fs.stat(path.join(rootfs, 'owned.txt'));
    assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o777], [1234, 5678, 0o600]);
  });

  it('refuses sources outside the context: .. and symlinks pointing out', async () => {
    await assert.rejects(copy(['../outside/secret'], '/x'), /outside the build context/);
    await assert.rejects(copy(['escape'], '/x'), /outside the build context/);
  });

  it('does not see files excluded by .dockerignore', async () => {
    await assert.rejects(copy(['ignored.log'], '/x'), /was not found in the build context/);
    await copy(['.'], '/all/');
    await assert.rejects(fs.stat(path.join(rootfs, 'all/ignored.log')));
  });

  it('keeps setuid and setgid bits through the chown; --chmod replaces only the permission bits', async () => {
    await copy(['suid'], '/kept', { owner: { uid: 1234, gid: 5678 } });
    await copy(['suid'], '/chmodded', { chmod: 0o700 });
    await copy(['a.txt'], '/not-setuid', { chmod: 0o4755 });
    const modes = await Promise.all(['kept', 'chmodded', 'not-setuid'].map(async (p) => (await fs.stat(path.join(rootfs, p))).mode & 0o7777));
    assert.deepEqual(modes, [0o4755, 0o4700, 0o755]);
  });

  it('creates missing parents 0755 and owned by --chown, leaving existing ones alone', async () => {
    await copy(['a.txt'], '/p/q/r.txt', { owner: { uid: 1234, gid: 5678 } });
    await copy(['a.txt'], '/app/x/', { owner: { uid: 1234, gid: 5678 } });
    const owners = await Promise.all(['p', 'p/q', 'app', 'app/x'].map(async (p) => {
      const stat = await fs.stat(path.join(rootfs, p));
      return [stat.uid, stat.gid, stat.mode & 0o7777];
    }));
    assert.deepEqual(owners, [[1234, 5678, 0o755], [1234, 5678, 0o755], [0, 0, 0o755], [1234, 5678, 0o755]]);
  });

  it('keeps hardlinks within a copied tree', async () => {
    await copy(['h'], '/h/');
    const [one, two] = await Promise.all(['h/one', 'h/two'].map((p) => fs.stat(path.join(rootfs, p))));
    assert.equal(one.ino, two.ino);
  });

  it('copies a build context as 0:0, and keeps the owners of a context that reports them when no --chown is given', async () => {
    await copy(['h/one'], '/from-context');
    const image = new DirectoryContext(contextDir);
    await copyIntoRoot(image, await resolveSources(image, ['h/one']), rootfs, { dest: '/from-image', workdir: '/' });
    const [fromContext, fromImage] = await Promise.all(['from-context', 'from-image'].map((p) => fs.stat(path.join(rootfs, p))));
    assert.deepEqual([fromContext.uid, fromContext.gid, fromImage.uid, fromImage.gid], [0, 0, 1000, 1001]);
  });

  it('resolves an absolute symlink source inside the context, and refuses one to a host path', async () => {
    await copy(['abs-link'], '/resolved');
    assert.equal(await read('resolved'), 'main');
    await assert.rejects(copy(['host-link'], '/x'), /outside the build context/);
  });

  it('matches [^...] classes as negated and [!...] as Go does (a class holding "!")', async () => {
    await copy(['[^a]*.txt'], '/negated/');
    await copy(['[!a]*.txt'], '/bang/');
    assert.deepEqual(await fs.readdir(path.join(rootfs, 'negated')), ['b.txt']);
    assert.deepEqual((await fs.readdir(path.join(rootfs, 'bang'))).sort(), ['a.txt', 'alias.txt']);
  });

  it('refuses a listed file swapped for a symlink before it is copied, instead of following it out', async () => {
    const swapDir = path.join(dir, 'swap-context');
    await fs.mkdir(path.join(swapDir, 'src'), { recursive: true });
    await fs.writeFile(path.join(swapDir, 'src/config'), 'harmless');
    const swapContext = new DirectoryContext(swapDir, () => false, { keepOwners: false });
    const sources = await resolveSources(swapContext, ['src']);
    const listed = await swapContext.list('src');
    await fs.rm(path.join(swapDir, 'src/config'));
    await fs.symlink(path.join(outside, 'secret'), path.join(swapDir, 'src/config'));
    // The copy lists the file as it was; the swap lands between that and the read.
    const stale: DirectoryContext = Object.assign(Object.create(swapContext), { list: async () => listed });
    await assert.rejects(copyIntoRoot(stale, sources, rootfs, { dest: '/app/', workdir: '/' }), /ELOOP|symbolic link/);
    assert.equal(await fs.readFile(path.join(rootfs, 'app/config'), 'utf8').catch(() => null), null);
  });

  it('writes through a symlink in the image only inside the root', async () => {
    await fs.symlink('../../../../../../outside', path.join(rootfs, 'evil'));
    await copy(['a.txt'], '/evil/pwned.txt');
    assert.equal(await read('outside/pwned.txt'), 'a');
    await assert.rejects(fs.stat(path.join(outside, 'pwned.txt')));
  });
});
