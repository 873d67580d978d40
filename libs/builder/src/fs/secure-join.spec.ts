import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { secureJoin } from './secure-join';

describe('secureJoin', () => {
  let root: string;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-securejoin-'));
    await fs.mkdir(path.join(root, 'usr/lib'), { recursive: true });
    await fs.symlink('/usr/lib', path.join(root, 'lib'));
    await fs.symlink('../../../../../../etc', path.join(root, 'escape'));
    await fs.symlink('/', path.join(root, 'rootlink'));
    await fs.symlink('loop2', path.join(root, 'loop1'));
    await fs.symlink('loop1', path.join(root, 'loop2'));
  });

  after(async () => fs.rm(root, { recursive: true, force: true }));

  it('joins plain paths', async () => {
    assert.equal(await secureJoin(root, '/usr/lib/x'), path.join(root, 'usr/lib/x'));
    assert.equal(await secureJoin(root, 'usr/./lib//x'), path.join(root, 'usr/lib/x'));
  });

  it('follows absolute symlinks inside the root', async () => {
    assert.equal(await secureJoin(root, '/lib/libc.so'), path.join(root, 'usr/lib/libc.so'));
  });

  it('keeps .. and relative symlinks from leaving the root', async () => {
    assert.equal(await secureJoin(root, '/../../etc/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(await secureJoin(root, '/escape/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(await secureJoin(root, '/rootlink/etc/shadow'), path.join(root, 'etc/shadow'));
  });

  it('refuses symlink loops', async () => {
    await assert.rejects(secureJoin(root, '/loop1/x'), /too many levels/);
  });
});
