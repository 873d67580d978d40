import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { NodeCommandRunner } from '../run/command-runner';
import { GitTreeContext } from './git-tree-context';

describe('GitTreeContext (real git)', () => {
  let dir: string;
  let bare: string;
  let commit: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-gitctx-'));
    const work = path.join(dir, 'work');
    bare = path.join(dir, 'repo.git');
    await fs.mkdir(path.join(work, 'src'), { recursive: true });
    await fs.writeFile(path.join(work, 'Dockerfile'), 'FROM scratch\n');
    await fs.writeFile(path.join(work, 'src', 'main.js'), 'console.log(1)\n');
    await fs.writeFile(path.join(work, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await fs.writeFile(path.join(work, 'debug.log'), 'log\n');
    await fs.symlink('src/main.js', path.join(work, 'link.js'));
    const git = (...args: string[]) => execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'first');
    commit = git('rev-parse', 'HEAD').trim();
    execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  });

  after(async () => fs.rm(dir, { recursive: true, force: true }));

  const open = (ignored: (p: string) => boolean = () => false) => GitTreeContext.open(new NodeCommandRunner(), bare, commit, ignored);

  it('lists the tree at the commit with git modes as file modes', async () => {
    const context = await open();
    const names = (await context.list('')).map((entry) => `${entry.path}:${entry.type}:${entry.mode.toString(8)}`);
    assert.deepEqual(names, ['Dockerfile:file:644', 'debug.log:file:644', 'link.js:symlink:777', 'run.sh:file:755', 'src:dir:755']);
    assert.equal((await context.stat('link.js'))?.linkTarget, 'src/main.js');
    assert.equal((await context.stat('src/main.js'))?.size, 15);
  });

  it('streams file contents from the object store and uses blob ids as checksums', async () => {
    const context = await open();
    assert.equal(await text(context.open('src/main.js')), 'console.log(1)\n');
    assert.equal((await context.readFile('Dockerfile'))?.toString(), 'FROM scratch\n');
    const blobId = execFileSync('git', ['--git-dir', bare, 'rev-parse', `${commit}:src/main.js`], { encoding: 'utf8' }).trim();
    assert.equal(await context.contentDigest('src/main.js'), `git:${blobId}`);
  });

  it('hides ignored paths and refuses paths leaving the context', async () => {
    const context = await open((p) => p.endsWith('.log'));
    assert.equal(await context.stat('debug.log'), null);
    assert.ok(!(await context.list('')).some((entry) => entry.path === 'debug.log'));
    await assert.rejects(context.stat('../etc/passwd'), /outside the build context/);
  });
});
