import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTar, tarDirectory } from '@berth/layer-store';
import { DirectoryContext } from '../context/directory-context';
import { NodeCommandRunner } from '../run/command-runner';
import { matchRootAttributes, OverlayMounter } from '../run/overlay-mounter';
import { copyIntoRoot, mkdirInRoot } from './copy-into-root';
import { carryUp, planDirectCopy, planDirectMkdir } from './direct-write';
import { GetfattrOpaqueProbe } from './opaque-probe';
import { resolveSources } from './resolve-sources';
import { CopyUp } from './union-lookup';

const isRoot = process.getuid?.() === 0;
const OLD = new Date('2001-02-03T04:05:06Z');

/**
 * Three snapshots in overlay form, top-most first in `lowers`: a whiteout, an opaque directory,
 * a symlink, directories with owners and old times that a step writing beneath them copies up.
 */
async function writeSnapshots(dir: string): Promise<string[]> {
  const [top, middle, base] = ['top', 'middle', 'base'].map((name) => path.join(dir, name));
  const files: Record<string, string> = {
    'base/etc/passwd': 'root:x:0:0::/root:/bin/sh\n',
    'base/usr/local/bin/existing': 'x',
    'base/srv/keep.txt': 'keep',
    'base/srv/sub/a': 'a',
    'base/home/conflict/inside': 'dir in the way',
    'base/gone/x': 'deleted above',
    'base/hidden/old/y': 'hidden by the opaque dir above',
    'middle/srv/mid.txt': 'mid',
    'middle/hidden/new.txt': 'new',
    'top/app/vendor/v.js': 'v',
  };
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  await fs.symlink('usr', path.join(base, 'lnk'));
  execFileSync('mknod', [path.join(middle, 'gone'), 'c', '0', '0']);
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(middle, 'hidden')]);
  for (const layer of [base, middle]) await chownDir(path.join(layer, 'srv'), 0o750, 1000, 1000);
  await chownDir(path.join(base, 'srv/sub'), 0o700, 7, 8);
  await chownDir(path.join(top, 'app'), 0o710, 5, 6);
  for (const layer of [top, middle, base]) await ageTree(layer);
  return [top, middle, base];
}

async function chownDir(dir: string, mode: number, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  await fs.chmod(dir, mode);
}

/** Old times on every directory, children first, so that a copied-up one is told from a new one. */
async function ageTree(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await ageTree(path.join(dir, entry.name));
  }
  await fs.utimes(dir, OLD, OLD);
}

/** What a layer made from an upper dir holds: every entry's path, type, mode, owner, size and mtime. */
async function layerEntries(upperDir: string): Promise<string[]> {
  const entries: string[] = [];
  const recent = Date.now() / 1000 - 120;
  for await (const { header } of readTar(tarDirectory(upperDir, { overlayUpper: true, readXattrs: false }))) {
    const mtime = header.mtime > recent ? 'now' : new Date(header.mtime * 1000).toISOString();
    entries.push(`${header.path} ${header.type} ${header.mode.toString(8)} ${header.uid}:${header.gid} ${header.size} ${header.linkTarget ?? ''} ${mtime}`);
  }
  return entries;
}

describe('COPY and WORKDIR straight into the upper dir', { skip: !isRoot && 'needs root for overlay mounts, whiteouts and trusted xattrs' }, () => {
  let dir: string;
  let lowers: string[];
  let context: DirectoryContext;
  const runner = new NodeCommandRunner();
  const mounter = new OverlayMounter(runner);
  const probe = new GetfattrOpaqueProbe(runner).probe;
  let counter = 0;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-direct-'));
    lowers = await writeSnapshots(path.join(dir, 'snapshots'));
    const contextDir = path.join(dir, 'context');
    await fs.mkdir(path.join(contextDir, 'vendor'), { recursive: true });
    await fs.mkdir(path.join(contextDir, 'sub'));
    await fs.writeFile(path.join(contextDir, 'Dockerfile'), 'FROM scratch\n');
    await fs.writeFile(path.join(contextDir, 'vendor/w.js'), 'w');
    await fs.writeFile(path.join(contextDir, 'sub/b'), 'b');
    await fs.writeFile(path.join(contextDir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    await fs.writeFile(path.join(contextDir, 'conflict'), 'a file where the image has a directory');
    context = new DirectoryContext(contextDir, () => false, { keepOwners: false });
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  async function newUpper(): Promise<string> {
    const upper = path.join(dir, `upper-${++counter}`);
    await fs.mkdir(upper);
    await matchRootAttributes(upper, lowers[0]);
    return upper;
  }

  async function throughMount(write: (rootfs: string) => Promise<void>): Promise<string> {
    const upperDir = await newUpper();
    const scratch = path.join(dir, `mount-${counter}`);
    const mount = await mounter.mount({ lowerDirs: lowers, upperDir, workDir: path.join(scratch, 'work'), target: path.join(scratch, 'rootfs'), scratchDir: scratch });
    try {
      await write(mount.target);
    } finally {
      await mount.unmount();
    }
    return upperDir;
  }

  async function direct(copyUps: CopyUp[], write: (rootfs: string) => Promise<void>): Promise<string> {
    const upperDir = await newUpper();
    carryUp(upperDir, copyUps);
    await write(upperDir);
    return upperDir;
  }

  async function copyBothWays(sources: string[], dest: string, workdir = '/') {
    const resolved = await resolveSources(context, sources);
    const copyUps = await planDirectCopy(lowers, context, resolved, { dest, workdir }, probe);
    const write = (rootfs: string) => copyIntoRoot(context, resolved, rootfs, { dest, workdir });
    return { copyUps, write };
  }

  for (const [sources, dest] of [
    [['.'], '/app/'], // the destination and a directory under it are in the top-most snapshot
    [['.'], '/srv/'], // only lower snapshots have them: the opaque probe says they are visible
    [['tool'], '/usr/local/bin/'],
    [['tool'], '/gone/x'], // deleted by a whiteout: created anew
    [['tool'], '/hidden/old/t'], // hidden by an opaque directory: created anew
    [['Dockerfile'], '/etc/passwd'], // one file over a file
    [['sub'], 'nested/dir'], // relative to WORKDIR /app
  ] as const) {
    it(`COPY ${sources.join(' ')} ${dest}: the same layer as through the mount`, async () => {
      const { copyUps, write } = await copyBothWays([...sources], dest, '/app');
      assert.notEqual(copyUps, null, 'the direct path applies');
      const mounted = await layerEntries(await throughMount(write));
      const written = await layerEntries(await direct(copyUps!, write));
      assert.deepEqual(written, mounted);
      assert.ok(mounted.length > 0);
    });
  }

  it('copies up the image directories with their owner, mode and times, as overlayfs does', async () => {
    const { copyUps, write } = await copyBothWays(['.'], '/srv/');
    const entries = await layerEntries(await direct(copyUps!, write));
    assert.ok(entries.includes(`srv directory 750 1000:1000 0  now`), entries.join('\n'));
    assert.ok(entries.includes(`srv/sub directory 755 0:0 0  now`), 'the copy sets the mode and owner of a directory it copies');
  });

  it('falls back to the mount when a parent is a symlink in a lower snapshot', async () => {
    const { copyUps } = await copyBothWays(['tool'], '/lnk/local/x');
    assert.equal(copyUps, null);
  });

  it('falls back to the mount when a file would replace a directory of the image, and the mount reports it', async () => {
    const { copyUps, write } = await copyBothWays(['.'], '/home/');
    assert.equal(copyUps, null);
    await assert.rejects(throughMount(write), /over the directory/);
  });

  it('falls back to the mount for one file copied onto a symlink, which the mount follows', async () => {
    const { copyUps } = await copyBothWays(['tool'], '/lnk');
    assert.equal(copyUps, null);
  });

  for (const workdir of ['/srv/new/deeper', '/app', '/hidden/old/z', '/']) {
    it(`WORKDIR ${workdir}: the same layer as through the mount`, async () => {
      const plan = await planDirectMkdir(lowers, workdir, probe);
      assert.notEqual(plan, null);
      const write = (rootfs: string) => mkdirInRoot(rootfs, workdir, { uid: 0, gid: 0 }).then(() => undefined);
      const mounted = await layerEntries(await throughMount(write));
      const written = plan!.missing ? await layerEntries(await direct(plan!.copyUps, write)) : [];
      assert.deepEqual(written, mounted);
    });
  }

  it('WORKDIR through a symlink or a file goes through the mount', async () => {
    assert.equal(await planDirectMkdir(lowers, '/lnk/x', probe), null);
    assert.equal(await planDirectMkdir(lowers, '/etc/passwd/x', probe), null);
  });
});
