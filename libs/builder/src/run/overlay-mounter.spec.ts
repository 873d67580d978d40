import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeCommandRunner } from './command-runner';
import { OverlayMounter } from './overlay-mounter';

describe('OverlayMounter', { skip: process.getuid?.() !== 0 && 'needs root for overlay mounts' }, () => {
  let dir: string;
  const mounter = new OverlayMounter(new NodeCommandRunner());

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-mounter-'));
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  /** `count` lower dirs under `parent`, the top-most holding top.txt, each its own layer-N.txt. */
  async function lowers(parent: string, count: number): Promise<string[]> {
    const dirs: string[] = [];
    for (let index = 0; index < count; index++) {
      const lower = path.join(parent, `layer-${index}`);
      await fs.mkdir(lower, { recursive: true });
      await fs.writeFile(path.join(lower, `layer-${index}.txt`), String(index));
      await fs.writeFile(path.join(lower, 'top.txt'), String(index));
      dirs.unshift(lower);
    }
    return dirs;
  }

  async function mountAndList(name: string, lowerDirs: string[]) {
    const scratch = path.join(dir, name);
    await fs.mkdir(path.join(scratch, 'upper'), { recursive: true });
    const mount = await mounter.mount({ lowerDirs, upperDir: path.join(scratch, 'upper'), workDir: path.join(scratch, 'work'), target: path.join(scratch, 'rootfs'), scratchDir: scratch });
    try {
      const files = (await fs.readdir(mount.target)).sort();
      return { files, top: await fs.readFile(path.join(mount.target, 'top.txt'), 'utf8'), scratchEntries: (await fs.readdir(scratch)).sort() };
    } finally {
      await mount.unmount();
    }
  }

  it('passes short lower dir paths as they are, top-most first', async () => {
    const result = await mountAndList('short', await lowers(path.join(dir, 'short-lowers'), 3));
    assert.deepEqual(result.files, ['layer-0.txt', 'layer-1.txt', 'layer-2.txt', 'top.txt']);
    assert.equal(result.top, '2');
    assert.deepEqual(result.scratchEntries, ['rootfs', 'upper', 'work'], 'no links dir');
  });

  it('goes through short links when the paths would not fit in the mount options', async () => {
    const deep = path.join(dir, ...Array.from({ length: 12 }, (_, index) => `a-rather-long-directory-name-${index}`));
    const result = await mountAndList('long', await lowers(deep, 12));
    assert.equal(result.files.length, 13);
    assert.equal(result.top, '11');
    assert.ok(result.scratchEntries.includes('l'));
  });
});
